-- Looker look 301 "Authy SMS pumping: fraud report (edited)" (model authy, explore authy_attempts).
-- Not read-only: someone appended a second statement. The SQL guard must refuse it (and the read-only
-- SQLite connection would too); nothing is deleted.
SELECT
    DATE(authy_attempts.created_at) AS "authy_fraud_report.day",
    authy_attempts.account_sid AS "authy_fraud_report.account_sid",
    authy_attempts.service_sid AS "authy_fraud_report.service_sid",
    authy_attempts.mcc AS "authy_fraud_report.mcc",
    COUNT(CASE WHEN authy_attempts.block_reason IS NULL THEN 1 END) AS "authy_fraud_report.attempts_sent",
    ROUND(SUM(authy_attempts.price_usd), 5) AS "authy_fraud_report.fraud_charges_usd"
FROM verification_attempts AS authy_attempts
WHERE (authy_attempts.account_sid IN ('ACs1', 'ACs2'))
  AND (authy_attempts.to_country IN ('AZ', 'TJ'))
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
LIMIT 5000;
DELETE FROM credits_issued
