"""The raw SQL of incentives: a partner's sourced won revenue in a period, converted to a
payout currency at mdf's exchange rate in force on each deal's closing day (rounded per deal;
a deal in a currency without a rate is left out, as analytics' ROPI leaves it out)."""

VOLUME_SQL = """
SELECT COALESCE(SUM(ROUND(COALESCE(d.won_amount, d.amount, 0) * fx.rate, 2)), 0)
FROM dealreg_deal d
CROSS JOIN LATERAL (
  SELECT CASE WHEN d.currency = %(cur)s THEN 1::numeric ELSE (
    SELECT x.rate FROM mdf_exchangerate x
    WHERE x.tenant_id = d.tenant_id AND x.from_currency = d.currency
      AND x.to_currency = %(cur)s AND x.valid_from <= d.closed_at
    ORDER BY x.valid_from DESC LIMIT 1) END AS rate
) fx
WHERE d.tenant_id = %(t)s AND d.partner_id = %(p)s AND d.status = 'won'
  AND d.closed_at >= %(ps)s AND d.closed_at < %(pe)s AND fx.rate IS NOT NULL
  AND (%(before_day)s::date IS NULL OR (d.closed_at, d.id) < (%(before_day)s::date, %(before_id)s))
"""
