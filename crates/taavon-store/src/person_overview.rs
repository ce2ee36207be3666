//! What the person view reads about one national code across every agency: where the
//! person is known (for the access decision), the services delivered to them and their
//! memberships. Their applications and support requests are read by those modules.

use sqlx::Row;
use taavon_core::services::{Provider, ProviderKind, ServiceKind};

use crate::StoreError;
use crate::error::{Decoded, db};
use crate::tx::Reader;

/// A service delivered to the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonService {
    pub id: i64,
    pub province: String,
    pub county: String,
    pub provider: Provider,
    pub reference: String,
    pub kind: ServiceKind,
    pub amount_rial: Option<i64>,
    pub delivered_on: String,
}

/// A membership of the person in a cooperative, current or ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonMembership {
    pub cooperative_id: i64,
    pub cooperative_name: String,
    pub province: String,
    pub board_role: Option<String>,
    pub joined_on: String,
    pub exited_on: Option<String>,
}

impl Reader {
    /// Every province the national code is known in: where the person lives, is a
    /// client or a member, or was served (sorted, each once).
    pub async fn person_provinces(
        &mut self,
        national_code: &str,
    ) -> Result<Vec<String>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT province FROM persons WHERE national_code = $1 \
             UNION SELECT k.province FROM clients k JOIN persons p ON p.id = k.person_id \
             WHERE p.national_code = $1 \
             UNION SELECT m.province FROM memberships m JOIN persons p ON p.id = m.person_id \
             WHERE p.national_code = $1 \
             UNION SELECT province FROM services WHERE national_code = $1 \
             ORDER BY 1"
        )
        .bind(national_code)
        .fetch_all(c)
        .await
        .and_then(|rows| rows.iter().map(|row| row.try_get(0)).collect())
        .map_err(db("finding where a person is known")))
    }

    /// The services delivered to the national code, newest first (a person's are few;
    /// the index on `services.national_code` finds them).
    pub async fn services_of_person(
        &mut self,
        national_code: &str,
    ) -> Result<Vec<PersonService>, StoreError> {
        let rows = on!(&mut self.conn, |c| sqlx::query(
            "SELECT id, province, county, provider_kind, provider_code, reference, kind, \
             amount_rial, delivered_on FROM services WHERE national_code = $1 \
             ORDER BY delivered_on DESC, id DESC"
        )
        .bind(national_code)
        .fetch_all(c)
        .await
        .map_err(db("reading a person's services"))?
        .iter()
        .map(|row| {
            let row = Decoded::new(row, "services", "decoding a person's service")?;
            let provider_kind = row.code("provider_kind", ProviderKind::parse)?;
            Ok(PersonService {
                id: row.get("id")?,
                province: row.get("province")?,
                county: row.get("county")?,
                provider: Provider::from_parts(provider_kind, &row.get::<String>("provider_code")?),
                reference: row.get("reference")?,
                kind: row.code("kind", ServiceKind::parse)?,
                amount_rial: row.get("amount_rial")?,
                delivered_on: row.get("delivered_on")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?);
        Ok(rows)
    }

    /// The person's memberships, the latest joined first.
    pub async fn memberships_of_person(
        &mut self,
        person_id: i64,
    ) -> Result<Vec<PersonMembership>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT m.cooperative_id, c.name, m.province, m.board_role, m.joined_on, \
             m.exited_on FROM memberships m JOIN cooperatives c ON c.id = m.cooperative_id \
             WHERE m.person_id = $1 ORDER BY m.joined_on DESC, m.id DESC"
        )
        .bind(person_id)
        .fetch_all(c)
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|row| {
                    Ok(PersonMembership {
                        cooperative_id: row.try_get(0)?,
                        cooperative_name: row.try_get(1)?,
                        province: row.try_get(2)?,
                        board_role: row.try_get(3)?,
                        joined_on: row.try_get(4)?,
                        exited_on: row.try_get(5)?,
                    })
                })
                .collect()
        })
        .map_err(db("reading a person's memberships")))
    }
}
