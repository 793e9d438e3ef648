-- Trino dialect of sql/sqlite/accounts.sql (same question, placeholders and result columns).
-- Question: which parent does each of the fraud report's accounts bill through, and what is its status?
-- (A parent's own row has parent_account_sid = account_sid.) Accounts the warehouse does not know are
-- simply absent; the credit engine names them.
-- Placeholders: :account_sids
-- Returns: account_sid, parent_account_sid, status
SELECT account_sid, parent_account_sid, status
FROM accounts
WHERE account_sid IN :account_sids
ORDER BY account_sid
