-- Trino dialect of sql/sqlite/block_rates.sql (same question, placeholders and result columns).
-- Question: what share of pumping traffic does each Fraud Guard mode block on each of the report's MCCs
-- (fleet estimate b(M, mcc); b(off) = 0 is implied)? block_rate may be double or decimal in Trino; both
-- reach the engine exactly as the warehouse renders them.
-- Only the policy's protecting modes are asked (:protection_modes: Fraud Guard's basic, standard, max for
-- Verify; SMS Pumping Protection's on for Programmable Messaging).
-- Placeholders: :mccs :protection_modes
-- Returns: protection_mode, mcc, block_rate (0..1)
SELECT protection_mode, mcc, block_rate
FROM block_rates
WHERE mcc IN :mccs
  AND protection_mode IN :protection_modes
ORDER BY mcc, protection_mode
