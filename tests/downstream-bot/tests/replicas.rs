//! Two replicas of the bot behind one Redis (a real `redis-server` started by the test on a
//! free port): the same event delivered to both is handled once.

use downstream_bot::Bot;
use lark_im_chat::events::dispatch::{Dispatcher, WebhookDispatcher};
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::events::{ChatMemberBotAddedV1, EventEnvelopeV2};
use lark_im_chat::redis::{RedisConnection, RedisDedup};
use lark_im_chat::testing::{Callback, MockPlatform, RedisServer, MOCK_APP_ID};
use lark_im_chat::types::{ChatDetail, ListMember};
use serde_json::json;

fn replica(
    platform: &MockPlatform,
    redis: &RedisServer,
    config: &WebhookConfig,
) -> WebhookDispatcher {
    let connection = RedisConnection::open(&redis.url()).expect("redis url");
    Bot::new(platform.client())
        .register(Dispatcher::builder().dedup(RedisDedup::new(&connection, MOCK_APP_ID)))
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config.clone()))
}

#[tokio::test]
async fn an_event_delivered_to_both_replicas_is_handled_once() {
    let redis = RedisServer::start().expect("redis-server (apt-get install redis-server)");
    let platform =
        MockPlatform::start_with(&[&lark_im_chat::FAMILY, &lark_im_message::FAMILY]).await;
    platform.respond("chat.get", ChatDetail::new().name("Ops"));
    let _ = platform
        .on("chat_members.get")
        .pages([ListMember::new().member_id("ou_1")], 20);
    let _ = platform
        .on("message.create")
        .then_data(json!({"message_id": "om_w"}));
    platform.expect("chat.get").times(1);
    platform.expect("message.create").times(1);

    let config = WebhookConfig::builder()
        .verification_token("vt")
        .build()
        .expect("config");
    let (a, b) = (
        replica(&platform, &redis, &config),
        replica(&platform, &redis, &config),
    );
    let event = EventEnvelopeV2::of("ev_once", ChatMemberBotAddedV1::new().chat_id("oc_1"));
    let (headers, body) = Callback::new(&config).event(&event);
    let first = a.dispatch(&headers, &body).await;
    let second = b.dispatch(&headers, &body).await;
    eprintln!("replica a: {first:?}\nreplica b: {second:?}");
    assert!(first.is_success() && second.is_success());
    // The key lives in Redis, not in either replica.
    let keys = redis.command("DBSIZE").expect("dbsize");
    assert_ne!(keys, ":0\r\n", "{keys}");
    platform.verify();
}
