// Operations the platform allows only with a tenant token do not exist on user-token handles.

use lark_im_chat::prelude::*;

fn main() {
    let client = lark_im_chat::Client::builder("cli_a1b2c3", "app-secret")
        .build()
        .unwrap();
    let user = client.as_user("u-user-access-token");
    let _ = user.chat("oc_1").menu_tree().get();
    let _ = user.chats().create();
}
