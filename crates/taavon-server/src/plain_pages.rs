//! The pages answered without a template or a layout (a layout needs the session, a
//! template may be what failed): plain, styled, in both languages. Apart from `ui` so
//! that the session extractors (`auth`) can answer with them too.

/// The page of a failure in rendering itself: no template, so it is plain, but styled
/// and in both languages rather than English text.
pub(crate) const FAILED_PAGE: &str = "<!doctype html><html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
<title>خطا · تعاون</title><link rel=\"stylesheet\" href=\"/assets/css/taavon.css\"></head><body>\
<main id=\"content\"><section class=\"card narrow\"><h1>خطا</h1><p>خطایی در سامانه رخ داد؛ \
دوباره تلاش کنید.</p><p lang=\"en\" dir=\"ltr\">Something went wrong; please try again.</p>\
<p><a href=\"/\">بازگشت به صفحه اصلی</a></p></section></main></body></html>";

/// The page of a database that is unavailable before a page could even read its session:
/// no layout (it needs the session), so plain, styled and in both languages.
pub(crate) const UNAVAILABLE_PAGE: &str = "<!doctype html><html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\">\
<title>در دسترس نیست · تعاون</title><link rel=\"stylesheet\" href=\"/assets/css/taavon.css\"></head><body>\
<main id=\"content\"><section class=\"card narrow\"><h1>در دسترس نیست</h1><p>پایگاه داده هم‌اکنون در \
دسترس نیست و کاری انجام نشد؛ چند لحظه دیگر دوباره بکوشید.</p><p lang=\"en\" dir=\"ltr\">The database \
is unavailable right now and nothing was done; please try again in a moment.</p>\
<p><a href=\"/\">بازگشت به صفحه اصلی</a></p></section></main></body></html>";
