//! The name search and the list's paging over the indexes of migration 0030 (SQLite's
//! FTS5 trigram table, PostgreSQL's trigram GIN index): the matches and their order are
//! exactly those of a scan of the folded keys, for keys of every length, written with
//! Arabic letters, a zero-width non-joiner, digits or LIKE's own wildcards; the index
//! follows inserts (single and bulk), renames and deletions; and a list read page by
//! page, by cursor or by number, is the whole list once.

use taavon_core::access::{ApplicationScope, CooperativeScope};
use taavon_core::text::search_key;
use taavon_store::{
    Cooperative, CooperativeColumn, CooperativeFilter, NewCooperative, Sort, Store, Versioned,
};

use super::{Checks, cooperative, load_reference, now, operator, run};

/// Names as people write them: Persian and Arabic letters, a non-joiner or a space between
/// the parts of a word, Persian, Arabic-Indic and ASCII digits, Latin letters.
const NAMES: [&str; 12] = [
    "تعاونی فرش دستباف کاشان",
    "تعاونی فرشبافان ۱۲ ایلام",
    "تعاوني فرش‌بافان كرمان",
    "تعاونی فرش بافان یزد",
    "تعاونی قالی ۱۲۳",
    "تعاونی قالی ١٢٣ تبریز",
    "تعاونی مسئول آب",
    "Taavon Farsh 12",
    "تعاونی گلیم",
    "تعاونی صنایع دستی ۵%",
    "تعاونی پوشاک بانوان",
    "فر",
];

/// Each query as typed, and how many of `NAMES` it finds (so that none of them passes by
/// finding nothing on both sides).
const QUERIES: [(&str, usize); 19] = [
    ("ف", 5),
    ("فر", 5),
    ("فرش", 4),
    ("فرش بافان", 3),
    ("فرش‌بافان", 3),
    ("فرشبافان", 3),
    ("كرمان", 1),
    ("تعاوني", 10),
    ("12", 4),
    ("۱۲", 4),
    ("۱۲۳", 2),
    ("١٢٣", 2),
    ("FARSH", 1),
    ("مسیول", 1),
    ("آب", 1),
    ("%", 1),
    ("_", 0),
    ("فرش\"", 0),
    ("زز", 0),
];

fn filter_for(query: &str) -> CooperativeFilter {
    CooperativeFilter {
        name_key: Some(search_key(query)),
        ..CooperativeFilter::default()
    }
}

/// The ids a scan finds for `query`: every name whose key contains the query's key, in
/// the list's order (the key, then the id).
fn scanned(stored: &[(i64, String)], query: &str) -> Vec<i64> {
    let key = search_key(query);
    let mut found: Vec<(&str, i64)> = stored
        .iter()
        .filter(|(_, name)| search_key(name).contains(&key))
        .map(|(id, name)| (name.as_str(), *id))
        .collect();
    found.sort_by(|a, b| search_key(a.0).cmp(&search_key(b.0)).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, id)| id).collect()
}

async fn page(
    store: &Store,
    filter: &CooperativeFilter,
    limit: i64,
    offset: i64,
) -> (Vec<Cooperative>, i64) {
    let mut read = store.read().await.unwrap();
    let page = read
        .cooperatives(
            &CooperativeScope::All,
            &ApplicationScope::All,
            filter,
            limit,
            offset,
        )
        .await
        .unwrap();
    read.finish().await.unwrap();
    page
}

/// The whole list in pages of `size`, by cursor (`by_cursor`) or by number.
async fn all_pages(
    store: &Store,
    filter: &CooperativeFilter,
    size: i64,
    by_cursor: bool,
) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut filter = filter.clone();
    loop {
        let offset = if by_cursor {
            0
        } else {
            i64::try_from(ids.len()).unwrap()
        };
        let (rows, total) = page(store, &filter, size, offset).await;
        ids.extend(rows.iter().map(|c| c.id));
        assert!(i64::try_from(ids.len()).unwrap() <= total);
        match rows.last() {
            Some(last) if by_cursor => filter.after_cooperative = Some(last.id),
            Some(_) => {}
            None => return ids,
        }
    }
}

async fn stored(store: &Store) -> Vec<(i64, String)> {
    let (rows, _) = page(store, &CooperativeFilter::default(), 500, 0).await;
    rows.into_iter().map(|c| (c.id, c.fields.name)).collect()
}

async fn assert_searches_match_a_scan(store: &Store) {
    let stored = stored(store).await;
    for (query, _) in QUERIES {
        let filter = filter_for(query);
        let (rows, total) = page(store, &filter, 500, 0).await;
        let found: Vec<i64> = rows.iter().map(|c| c.id).collect();
        let expected = scanned(&stored, query);
        assert_eq!(found, expected, "{query}");
        assert_eq!(total, i64::try_from(expected.len()).unwrap(), "{query}");
        assert_eq!(
            all_pages(store, &filter, 2, true).await,
            expected,
            "{query}"
        );
        assert_eq!(
            all_pages(store, &filter, 2, false).await,
            expected,
            "{query}"
        );
    }
}

spec!(a_name_search_finds_what_a_scan_of_the_folded_keys_finds_in_the_same_order);
async fn a_name_search_finds_what_a_scan_of_the_folded_keys_finds_in_the_same_order(
    store: Store,
    _: String,
) -> Checks {
    // Establishes that the trigram indexes change the cost of a search, never its answer:
    // the same matches, counted alike and in the same order, paged by cursor or by number.
    load_reference(&store).await;
    let new = |name: &str| NewCooperative {
        legal_id: None,
        ..cooperative(name, "1601", "IR-16", "")
    };
    let (one_by_one, in_bulk) = NAMES.split_at(4);
    let mut write = store.write(operator(), now()).await.unwrap();
    for name in one_by_one {
        write.insert_cooperative(&new(name)).await.unwrap();
    }
    let bulk: Vec<NewCooperative> = in_bulk.iter().map(|name| new(name)).collect();
    write.insert_cooperatives_bulk(&bulk).await.unwrap();
    write.commit().await.unwrap();
    let stored_names = stored(&store).await;
    for (query, count) in QUERIES {
        assert_eq!(scanned(&stored_names, query).len(), count, "{query}");
    }
    assert_searches_match_a_scan(&store).await;

    // A rename is found by its new name only.
    let (rows, _) = page(&store, &filter_for("گلیم"), 10, 0).await;
    let [rug] = rows.as_slice() else {
        panic!("{rows:?}")
    };
    let renamed = new("تعاونی فرش ماشینی");
    let mut write = store.write(operator(), now()).await.unwrap();
    let updated = write
        .update_cooperative(rug.id, rug.version, &renamed, None)
        .await
        .unwrap();
    assert!(matches!(updated, Versioned::Updated(_)));
    write.commit().await.unwrap();
    assert!(page(&store, &filter_for("گلیم"), 10, 0).await.0.is_empty());
    assert_eq!(page(&store, &filter_for("ماشینی"), 10, 0).await.1, 1);
    assert_searches_match_a_scan(&store).await;
    Checks::AuditMustVerify
}

spec!(every_order_of_the_list_pages_by_cursor_and_by_number_alike);
async fn every_order_of_the_list_pages_by_cursor_and_by_number_alike(
    store: Store,
    _: String,
) -> Checks {
    // Establishes the keyset cursor of every order the list offers (ties broken by id, in
    // either direction) against paging by number.
    load_reference(&store).await;
    let rows: Vec<NewCooperative> = NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| NewCooperative {
            legal_id: None,
            // Few distinct values, so that most rows tie on the column.
            county: if i % 3 == 0 { "1601" } else { "1602" }.into(),
            ..cooperative(name, "1601", "IR-16", "")
        })
        .collect();
    let mut write = store.write(operator(), now()).await.unwrap();
    write.insert_cooperatives_bulk(&rows).await.unwrap();
    write.commit().await.unwrap();
    for column in [
        CooperativeColumn::Name,
        CooperativeColumn::Province,
        CooperativeColumn::County,
        CooperativeColumn::Kind,
        CooperativeColumn::Sector,
        CooperativeColumn::Status,
    ] {
        for descending in [false, true] {
            let filter = CooperativeFilter {
                sort: Sort { column, descending },
                ..CooperativeFilter::default()
            };
            let (whole, _) = page(&store, &filter, 500, 0).await;
            let whole: Vec<i64> = whole.iter().map(|c| c.id).collect();
            assert_eq!(whole.len(), NAMES.len());
            for size in [1, 5] {
                assert_eq!(all_pages(&store, &filter, size, true).await, whole);
                assert_eq!(all_pages(&store, &filter, size, false).await, whole);
            }
        }
    }
    Checks::AuditMustVerify
}
