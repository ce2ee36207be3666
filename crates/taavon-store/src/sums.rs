//! Exact sums of money columns on both engines, however many rows.
//!
//! SQLite's `SUM` of integers fails with "integer overflow" past `i64` and its `TOTAL` is
//! a float (inexact past 2^53); PostgreSQL's `SUM(bigint)` is `NUMERIC`, which only an
//! extra decoding crate reads. So a sum is taken in two parts that each fit a `BIGINT`
//! on both engines — the sum of each value's high 32 bits (an arithmetic shift on both)
//! and of its low 32 bits — and put together in `i128` here. Each part stays within
//! `i64` for up to 2^31 rows, far beyond any table of ours.

/// The SQL for the two partial sums of `expression`, as two adjacent select columns.
pub(crate) fn exact_sum_sql(expression: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(({expression}) >> 32), 0) AS BIGINT), \
         CAST(COALESCE(SUM(({expression}) & 4294967295), 0) AS BIGINT)"
    )
}

/// The sum the two partial sums of `exact_sum_sql` stand for.
pub(crate) fn exact_sum(high: i64, low: i64) -> i128 {
    (i128::from(high) << 32) + i128::from(low)
}

/// The exact sum whose two partial sums are the row's columns `column` and `column + 1`.
pub(crate) fn exact_sum_at<'r, R>(row: &'r R, column: usize) -> Result<i128, sqlx::Error>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(exact_sum(row.try_get(column)?, row.try_get(column + 1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_partial_sums_put_together_give_the_exact_total() {
        // Establishes the decomposition on the values that matter: large, negative, edges.
        let values = [
            i64::MAX,
            i64::MAX,
            1,
            0,
            -1,
            i64::MIN,
            4_294_967_295,
            4_294_967_296,
        ];
        let high: i64 = values.iter().map(|v| v >> 32).sum();
        let low: i64 = values.iter().map(|v| v & 4_294_967_295).sum();
        let exact: i128 = values.iter().map(|v| i128::from(*v)).sum();
        assert_eq!(exact_sum(high, low), exact);
    }
}
