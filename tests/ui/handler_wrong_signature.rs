// Event handlers with a wrong signature are reported at the user's closure, with a message
// naming the expected shape.

use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::prelude::*;

fn main() {
    // Forgot to end with `Ok(())`.
    let _ = Dispatcher::builder().on_chat_disbanded(|e| async move {
        println!("{:?}", e.event.chat_id);
    });

    // Resolves to another result type.
    let _ = Dispatcher::builder()
        .state(7u8)
        .on_chat_disbanded(|_, _| async move { Ok::<u8, std::io::Error>(1) });

    // Two arguments without `.state(..)`.
    let _ = Dispatcher::builder().on_chat_disbanded(|_state, _e| async move { Ok(()) });

    // Not a future at all.
    let _ = Dispatcher::builder().fallback(|_event| 42);
}
