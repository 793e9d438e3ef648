-- Question: which credits did the parent get before (any product and status; the engine keeps the
-- policy's products, compared case-insensitively, applies the repeat-incident window and counts only
-- approved/issued ones)?
-- Placeholders: :parent_account_sid :claim_date
-- Returns: created_at, credit_amount, status, product
SELECT created_at, credit_amount, status, product
FROM credits_issued
WHERE parent_account_sid = :parent_account_sid
  AND substr(created_at, 1, 10) <= :claim_date
ORDER BY created_at
