-- The fraud report of issue 20's size benchmark (bench/calc_size/run.sh): the look's columns, read from the
-- pre-aggregated daily table bench/calc_size/make_warehouse.py fills with exactly N rows.
SELECT
    report.day AS "authy_fraud_report.day",
    report.account_sid AS "authy_fraud_report.account_sid",
    report.service_sid AS "authy_fraud_report.service_sid",
    report.mcc AS "authy_fraud_report.mcc",
    report.mnc AS "authy_fraud_report.mnc",
    report.to_country AS "authy_fraud_report.to_country",
    report.attempts_sent AS "authy_fraud_report.attempts_sent",
    report.attempts_blocked AS "authy_fraud_report.attempts_blocked",
    report.fraud_charges_usd AS "authy_fraud_report.fraud_charges_usd"
FROM authy_fraud_report_daily AS report
ORDER BY 1, 2, 3, 4, 5, 6
