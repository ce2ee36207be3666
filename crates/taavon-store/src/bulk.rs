//! Bulk inserts for synthetic and very large loads: each call is one audited change that
//! names the ids it created. The rows go through the same statement as a single insert
//! (`insert`), many to a statement.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::cooperatives::NewCooperative;
use crate::people::{NewMembership, NewPerson};
use crate::tx::WriteTx;

impl WriteTx {
    /// Inserts cooperatives; returns their ids in order.
    pub async fn insert_cooperatives_bulk(
        &mut self,
        cooperatives: &[NewCooperative],
    ) -> Result<Vec<i64>, StoreError> {
        let ids = self
            .write_cooperatives(cooperatives, "bulk-inserting cooperatives")
            .await?;
        self.audit_bulk("cooperative.bulk_create", "cooperative", &ids);
        Ok(ids)
    }

    /// Inserts persons; returns their ids in order.
    pub async fn insert_persons_bulk(
        &mut self,
        persons: &[NewPerson],
    ) -> Result<Vec<i64>, StoreError> {
        let ids = self
            .write_persons(persons, "bulk-inserting persons")
            .await?;
        self.audit_bulk("person.bulk_create", "person", &ids);
        Ok(ids)
    }

    /// Inserts memberships.
    pub async fn insert_memberships_bulk(
        &mut self,
        memberships: &[NewMembership],
    ) -> Result<(), StoreError> {
        let ids = self
            .write_memberships(memberships, "bulk-inserting memberships")
            .await?;
        self.audit_bulk("membership.bulk_create", "membership", &ids);
        Ok(())
    }

    pub(crate) fn audit_bulk(&mut self, action: &'static str, entity: &'static str, ids: &[i64]) {
        if let (Some(first), Some(last)) = (ids.iter().min(), ids.iter().max()) {
            self.audit(AuditEntry::created(
                action,
                entity,
                format!("{first}..={last}"),
                None,
                serde_json::json!({ "count": ids.len(), "first_id": first, "last_id": last }),
            ));
        }
    }
}
