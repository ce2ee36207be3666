//! Services through the store: a batch adds only its new rows to the county figures, in
//! the same transaction (a reference sent again, stored or earlier in the batch, changes
//! nothing), a rolled-back batch leaves neither records nor figures, and an import is
//! recorded with what it did.

use taavon_core::calendar::IsoDate;
use taavon_core::ids::NationalCode;
use taavon_core::services::{Provider, ServiceKind};
use taavon_store::{NewService, NewServiceImport, Recipient, ServiceFigure, Store};

use super::{Checks, load_reference, now, operator, run};

fn service(reference: &str, county: &str, province: &str, kind: ServiceKind) -> NewService {
    NewService {
        province: province.into(),
        county: county.into(),
        provider: Provider::Agency("behzisti".into()),
        reference: reference.into(),
        kind,
        recipient: Recipient::Person(NationalCode::parse("0012345679").unwrap()),
        people: 1,
        amount_rial: Some(5_000_000),
        delivered_on: IsoDate::parse("2025-08-01").unwrap(),
    }
}

async fn figures(store: &Store) -> Vec<(String, ServiceKind, i64, i64)> {
    let mut read = store.read().await.unwrap();
    let rows: Vec<ServiceFigure> = read.service_county_figures(None).await.unwrap();
    read.finish().await.unwrap();
    rows.into_iter()
        .map(|f| (f.county, f.kind, f.services, f.people))
        .collect()
}

async fn the_county_figures_count_each_reference_once(store: Store, _: String) -> Checks {
    // Establishes that the figures follow the records exactly: new rows add, repeated
    // references (in the batch or already stored) do not, and a second file adds to the
    // first's figures.
    load_reference(&store).await;
    let first = [
        service("B-1", "1601", "IR-16", ServiceKind::HousingUnit),
        service("B-2", "1601", "IR-16", ServiceKind::HousingUnit),
        service("B-2", "1601", "IR-16", ServiceKind::HousingUnit),
        service("B-3", "1602", "IR-16", ServiceKind::WelfarePayment),
    ];
    let mut write = store.write(operator(), now()).await.unwrap();
    let batch = write.insert_services(&first).await.unwrap();
    write.commit().await.unwrap();
    assert_eq!((batch.created, batch.unchanged), (3, 1));
    let second = [
        service("B-1", "1601", "IR-16", ServiceKind::HousingUnit),
        service("B-4", "1601", "IR-16", ServiceKind::HousingUnit),
    ];
    let mut write = store.write(operator(), now()).await.unwrap();
    let batch = write.insert_services(&second).await.unwrap();
    write.commit().await.unwrap();
    assert_eq!((batch.created, batch.unchanged), (1, 1));
    assert_eq!(
        figures(&store).await,
        [
            ("1601".to_owned(), ServiceKind::HousingUnit, 3, 3),
            ("1602".to_owned(), ServiceKind::WelfarePayment, 1, 1),
        ]
    );
    let mut read = store.read().await.unwrap();
    assert_eq!(read.service_count().await.unwrap(), 4);
    read.finish().await.unwrap();
    Checks::AuditMustVerify
}
spec!(the_county_figures_count_each_reference_once);

async fn a_batch_rolled_back_leaves_no_records_and_no_figures(store: Store, _: String) -> Checks {
    // Establishes that records and figures are one transaction: dropping it keeps
    // neither, so the next import of the same references creates them.
    load_reference(&store).await;
    let rows = [service("C-1", "1601", "IR-16", ServiceKind::HousingUnit)];
    let mut write = store.write(operator(), now()).await.unwrap();
    write.insert_services(&rows).await.unwrap();
    drop(write);
    assert_eq!(figures(&store).await, []);
    let mut write = store.write(operator(), now()).await.unwrap();
    assert_eq!(write.insert_services(&rows).await.unwrap().created, 1);
    let id = write
        .record_service_import(&NewServiceImport {
            provider: Provider::Agency("behzisti".into()),
            file_name: "services.csv".into(),
            content_sha256: "ab".repeat(32),
            rows: 1,
            created: 1,
            unchanged: 0,
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let import = read.service_import(id).await.unwrap().unwrap();
    assert_eq!(import.fields.created, 1);
    let listed = read
        .service_imports(Some(&Provider::Agency("tvto".into())), 10)
        .await
        .unwrap();
    assert_eq!(listed, []);
    read.finish().await.unwrap();
    Checks::AuditMustVerify
}
spec!(a_batch_rolled_back_leaves_no_records_and_no_figures);

async fn a_batch_of_many_statements_counts_every_row(store: Store, _: String) -> Checks {
    // Establishes that a batch written in several statements (the last one shorter)
    // counts each row once, whether all of it went in or only the references not seen
    // before, with the figures equal to the records either way.
    load_reference(&store).await;
    let kinds = [ServiceKind::HousingUnit, ServiceKind::WelfarePayment];
    let batch_of = |from: usize, to: usize| -> Vec<NewService> {
        (from..to)
            .map(|i| {
                let county = if i % 3 == 0 { "1601" } else { "1602" };
                service(&format!("M-{i}"), county, "IR-16", kinds[i % 2])
            })
            .collect()
    };
    let mut write = store.write(operator(), now()).await.unwrap();
    let batch = write.insert_services(&batch_of(0, 150)).await.unwrap();
    write.commit().await.unwrap();
    assert_eq!((batch.created, batch.unchanged), (150, 0));
    let mut write = store.write(operator(), now()).await.unwrap();
    let batch = write.insert_services(&batch_of(75, 225)).await.unwrap();
    write.commit().await.unwrap();
    assert_eq!((batch.created, batch.unchanged), (75, 75));
    let expected = |county: &str, kind: ServiceKind| {
        let count = (0..225usize)
            .filter(|i| (i % 3 == 0) == (county == "1601") && kinds[i % 2] == kind)
            .count();
        let count = i64::try_from(count).unwrap();
        (county.to_owned(), kind, count, count)
    };
    assert_eq!(
        figures(&store).await,
        [
            expected("1601", ServiceKind::HousingUnit),
            expected("1601", ServiceKind::WelfarePayment),
            expected("1602", ServiceKind::HousingUnit),
            expected("1602", ServiceKind::WelfarePayment),
        ]
    );
    let mut read = store.read().await.unwrap();
    assert_eq!(read.service_count().await.unwrap(), 225);
    read.finish().await.unwrap();
    Checks::AuditMustVerify
}
spec!(a_batch_of_many_statements_counts_every_row);
