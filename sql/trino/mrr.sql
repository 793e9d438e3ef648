-- Trino dialect of sql/sqlite/mrr.sql (same question, placeholders and result columns).
-- Question: what is the parent's monthly recurring revenue for the month of the claim (or, when that month
-- is missing, the latest earlier month)? month is a DATE in Trino.
-- Placeholders: :parent_account_sid :claim_date
-- Returns: at most one row: month (first day), mrr_usd
SELECT month, mrr_usd
FROM mrr_monthly
WHERE parent_account_sid = :parent_account_sid
  AND month <= DATE :claim_date
ORDER BY month DESC
LIMIT 1
