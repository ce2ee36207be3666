//! Static assets compiled into the binary, so the app works offline with no CDN.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "css/taavon.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/css/taavon.css"),
    },
    Asset {
        path: "css/forms.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/css/forms.css"),
    },
    Asset {
        path: "js/forms.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/js/forms.js"),
    },
    Asset {
        path: "js/htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/js/htmx.min.js"),
    },
    Asset {
        path: "js/taavon.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/js/taavon.js"),
    },
    Asset {
        path: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../assets/favicon.svg"),
    },
    Asset {
        path: "fonts/vazirmatn-variable.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../assets/fonts/vazirmatn-variable.woff2"),
    },
    Asset {
        path: "fonts/OFL.txt",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/fonts/OFL.txt"),
    },
];

/// `GET /assets/{*path}`.
pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|asset| asset.path == path) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            asset.bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
