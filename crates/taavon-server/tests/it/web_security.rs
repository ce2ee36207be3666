//! The web layer against an attacker: redirects that stay on the site, login throttling
//! that cannot lock the real user out, headers, sessions and request limits.

use crate::helpers::sqlite_app;

#[tokio::test]
async fn the_language_switch_and_the_login_never_send_the_browser_to_another_host() {
    // Establishes that `back` and `next` pass the one same-origin check: a tab the
    // browser would drop (`/%09/evil.example`) no longer reaches the `Location` header.
    let app = sqlite_app().await;
    for back in [
        "/%09/evil.example/x",
        "/%0A/evil.example/x",
        "//evil.example/x",
        "/%5Cevil.example/x",
        "https://evil.example/x",
        "/.//evil.example/x",
    ] {
        let response = app
            .client
            .get(app.url(&format!("/lang?to=en&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/", "back={back}");
    }
    let response = app
        .client
        .get(app.url("/lang?to=fa&back=/provinces%3Fx%3D1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/provinces?x=1");

    let response = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", "demo"),
            ("next", "/\t/evil.example/x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let login_page = app
        .client
        .get(app.url("/login?next=%2F%09%2Fevil.example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login_page.contains("name=\"next\" value=\"/\""),
        "{login_page}"
    );
}
