//! The runtime's throwaway `redis-server` (`testing::RedisServer`), under the name the tests,
//! benchmarks and examples of this crate include (`#[path = "…/support/redis_server.rs"]`).

#![allow(unused_imports)]

pub use lark_im_chat::testing::RedisServer;
