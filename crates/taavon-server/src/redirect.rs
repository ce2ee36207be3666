//! Redirects to a place the request names (`next` after logging in, `back` after switching
//! the language): the one check that such a place stays on this site.
//!
//! A browser normalises a `Location` before following it: it drops tabs and newlines,
//! reads `\` as `/` and resolves `.` segments, so `/\t/evil.example` and `/.//evil.example`
//! both become `//evil.example`, another host. The check therefore parses the target the
//! way a browser does (the WHATWG URL parser of the `url` crate), against a stand-in
//! origin, and answers the normalised path it would request.

use url::{Position, Url};

/// The stand-in origin targets are resolved against; never sent anywhere.
const BASE: &str = "http://taavon.invalid/";

/// The same-origin path (with its query) a browser would go to for `target`, or `None`
/// if it could leave the site. Every redirect to a place the request names goes through
/// this function.
pub fn local_path(target: &str) -> Option<String> {
    // A path of ours never holds a control character or a backslash; browsers drop or
    // rewrite both, so refusing them outright leaves nothing to reinterpret.
    if !target.starts_with('/') || target.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let base = Url::parse(BASE).ok()?;
    let url = base.join(target).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let path = &url[Position::BeforePath..];
    // A normalised path such as `//x` would be read as the host `x` when sent alone.
    (path.starts_with('/') && !path.starts_with("//")).then(|| path.to_owned())
}

/// `local_path`, or the home page.
pub fn local_path_or_home(target: Option<&str>) -> String {
    target
        .and_then(local_path)
        .unwrap_or_else(|| "/".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_way_to_another_host_is_refused() {
        // Establishes that each open-redirect trick browsers fall for is refused: scheme-
        // relative paths, backslashes, tabs and newlines the browser drops, schemes, dot
        // segments that collapse to `//`, and user-info.
        for target in [
            "//evil.example/x",
            "///evil.example/x",
            "/\\evil.example/x",
            "\\/evil.example/x",
            "\\\\evil.example/x",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "/\r\n/evil.example/x",
            "\t//evil.example/x",
            " //evil.example/x",
            "/\u{0}/evil.example",
            "https://evil.example/x",
            "https:evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/.//evil.example/x",
            "/./\\evil.example",
            "/x/..//evil.example",
            "/%2e/%2e//evil.example",
            "",
        ] {
            assert_eq!(local_path(target), None, "{target:?} was accepted");
        }
    }

    #[test]
    fn encoded_tricks_stay_paths_on_this_site() {
        // Establishes that percent-encoded slashes, backslashes and control characters are
        // kept encoded: a browser requests them as a path here, never as a host.
        for (target, path) in [
            ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
            ("/%5C%5Cevil.example", "/%5C%5Cevil.example"),
            ("/%09/evil.example/x", "/%09/evil.example/x"),
            ("/%0a/evil.example", "/%0a/evil.example"),
        ] {
            assert_eq!(local_path(target).as_deref(), Some(path), "{target:?}");
        }
    }

    #[test]
    fn local_paths_with_queries_pass_normalised() {
        // Establishes that ordinary targets survive, non-ASCII percent-encoded so the
        // `Location` header is plain ASCII.
        assert_eq!(local_path("/").as_deref(), Some("/"));
        assert_eq!(
            local_path("/cooperatives?q=x&page=2").as_deref(),
            Some("/cooperatives?q=x&page=2")
        );
        assert_eq!(
            local_path("/cooperatives?q=پوشاک").as_deref(),
            Some("/cooperatives?q=%D9%BE%D9%88%D8%B4%D8%A7%DA%A9")
        );
        assert_eq!(local_path("/a/./b/../c").as_deref(), Some("/a/c"));
        assert_eq!(local_path_or_home(Some("//evil.example")), "/");
        assert_eq!(local_path_or_home(None), "/");
    }
}
