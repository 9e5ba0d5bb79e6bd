// User handles whose token comes from a refreshing source follow the same rules: tenant-only
// operations do not exist on them.

use lark_im_chat::prelude::*;

fn main() {
    let client = lark_im_chat::Client::builder("cli_a1b2c3", "app-secret")
        .build()
        .unwrap();
    let tokens = client.user_tokens().build();
    let alice = client.as_user_with(tokens.user("ou_alice"));
    let _ = alice.chat("oc_1").menu_tree().get();
    let _ = alice.chats().create();
}
