//! The message a page shows once after an action (post/redirect/get): what was done, or
//! the precise reason it was refused. It rides in the session, so a reload does not show
//! it again and a refusal never replaces the page the person was working on.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const KEY: &str = "flash";

/// One message: a success (`ok`) or a refusal, in the reader's language.
#[derive(Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

/// The message waiting for this session's next page, removed as it is read.
pub async fn take(session: &Session) -> Option<Flash> {
    session.remove::<Flash>(KEY).await.ok().flatten()
}

pub(super) async fn put(session: &Session, flash: Flash) {
    // A message that cannot be kept is lost, never the action: the redirect still shows
    // the record as it now is.
    if let Err(error) = session.insert(KEY, flash).await {
        tracing::warn!(%error, "flash message not kept");
    }
}
