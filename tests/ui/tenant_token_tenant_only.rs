// The same tenant-only calls compile with the tenant client, and a shared operation compiles with
// both token kinds.

use lark_im_chat::prelude::*;

fn main() {
    let client = lark_im_chat::Client::builder("cli_a1b2c3", "app-secret")
        .build()
        .unwrap();
    let _: lark_im_chat::api::ChatMenuTreeGetRequest = client.chat("oc_1").menu_tree().get();
    let _: lark_im_chat::api::ChatCreateRequest = client.chats().create();
    let _ = client.with_tenant_token("t-token").chat("oc_1").menu_tree().get();

    let user = client.as_user("u-user-access-token");
    let _: lark_im_chat::api::ChatGetRequest<lark_im_chat::User> = user.chat("oc_1").get();

    let tokens = client.user_tokens().build();
    let alice = client.as_user_with(tokens.user("ou_alice"));
    let _: lark_im_chat::api::ChatGetRequest<lark_im_chat::User> = alice.chat("oc_1").get();
}
