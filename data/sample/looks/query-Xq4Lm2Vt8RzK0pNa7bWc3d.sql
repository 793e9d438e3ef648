-- Looker explore query Xq4Lm2Vt8RzK0pNa7bWc3d (model authy, explore authy_attempts; from a shared
-- /explore/authy/authy_attempts?qid=Xq4Lm2Vt8RzK0pNa7bWc3d link), SQL tab, SQLite sample warehouse.
-- No MNC column: the fields picker left it out.
-- Scenario: Larkspur Health (AC6db3d9017cdfa50c7de020da0768269f) on Basic, pumping to Sri Lanka (Geo
-- Permission 'allow') and Pakistan, 2025-09-08..2025-09-19.
SELECT
    DATE(authy_attempts.created_at) AS "authy_fraud_report.day",
    authy_attempts.account_sid AS "authy_fraud_report.account_sid",
    authy_attempts.service_sid AS "authy_fraud_report.service_sid",
    authy_attempts.mcc AS "authy_fraud_report.mcc",
    authy_attempts.to_country AS "authy_fraud_report.to_country",
    COUNT(CASE WHEN authy_attempts.block_reason IS NULL THEN 1 END) AS "authy_fraud_report.attempts_sent",
    COUNT(CASE WHEN authy_attempts.block_reason = 'fraud_guard' THEN 1 END) AS "authy_fraud_report.attempts_blocked",
    ROUND(SUM(authy_attempts.price_usd), 5) AS "authy_fraud_report.fraud_charges_usd"
FROM verification_attempts AS authy_attempts
WHERE (authy_attempts.account_sid = 'AC6db3d9017cdfa50c7de020da0768269f')
  AND (authy_attempts.channel = 'sms')
  AND (authy_attempts.to_country IN ('LK', 'PK'))
  AND (authy_attempts.created_at >= '2025-09-01 00:00:00' AND authy_attempts.created_at < '2025-10-01 00:00:00')
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4
LIMIT 5000
