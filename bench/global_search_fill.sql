-- Fills a migrated, empty database for bench/global_search.py: 4 companies, 100,000
-- customers, 1,000,000 issued invoices (250,000 per company), 300,000 payments.
-- Names repeat words the way real ones do, so a common word matches thousands of customers.

INSERT INTO companies (id, name, address, country, base_currency, default_payment_terms_days,
                       credit_note_approval_threshold, created_at, require_two_factor)
SELECT c, 'Bench Company ' || c, 'Hauptstrasse ' || c, 'DE', 'EUR', 30, 0, now(), false
FROM generate_series(1, 4) AS c;

INSERT INTO numbering_series (id, company_id, code, kind, prefix, padding, last_number, is_default)
SELECT c, c, 'INV', 'invoice', 'INV-', 6, 250000, true FROM generate_series(1, 4) AS c;

INSERT INTO customers (id, company_id, name, address, city, postal_code, country, email, vat_id,
                       currency, payment_terms_days, language, created_at, updated_at,
                       einvoice_format)
SELECT i, 1 + i % 4,
       w1 || ' ' || w2 || ' ' || form || ' ' || i,
       'Street ' || i, 'Berlin', '10115', 'DE',
       'ap@' || lower(w1) || '-' || lower(w2) || '-' || i || '.example',
       'DE' || (100000000 + i), 'EUR', 30, 'en', now(), now(), 'none'
FROM generate_series(1, 100000) AS i,
     LATERAL (SELECT (ARRAY['Atlas', 'Nordwind', 'Blau', 'Sonne', 'Alpen', 'Rhein', 'Hansa',
                            'Adler', 'Linde', 'Falke', 'Meridian', 'Polar', 'Vega', 'Orion',
                            'Kupfer', 'Silber', 'Eiche', 'Birke', 'Stern', 'Welle'])[1 + i % 20] AS w1,
                     (ARRAY['Bau', 'Logistik', 'Software', 'Handel', 'Consulting', 'Medien',
                            'Technik', 'Energie', 'Foods', 'Textil'])[1 + (i / 20) % 10] AS w2,
                     (ARRAY['GmbH', 'AG', 'KG', 'SARL', 'Ltd'])[1 + (i / 200) % 5] AS form) AS words;

-- Invoice n belongs to company 1 + n % 4 and is that company's number k = n / 4 + 1; its
-- customer is one of the same company.
INSERT INTO invoices (id, company_id, customer_id, kind, status, series_id, number, reference,
                      issue_date, due_date, currency, exchange_rate, po_reference, notes, terms,
                      net_amount, tax_amount, total_amount, paid_amount, credited_amount, version,
                      created_at, updated_at, issued_at, void_reason)
SELECT n, c, 4 * ((n / 4) % 24999 + 1) + n % 4, 'invoice', 'issued', c, k,
       'INV-' || year || '-' || lpad(k::text, 6, '0'),
       make_date(year, 1 + k % 12, 1 + k % 28), make_date(year, 1 + k % 12, 1 + k % 28) + 30,
       'EUR', 1, 'PO-' || n, '', '', 100, 19, 119, 0, 0, 1, now(), now(), now(), ''
FROM generate_series(1, 1000000) AS n,
     LATERAL (SELECT 1 + n % 4 AS c, n / 4 + 1 AS k, 2024 + (n / 4 + 1) % 3 AS year) AS numbering;

INSERT INTO payments (id, invoice_id, company_id, payment_date, amount, method, reference, source,
                      reason, created_at)
SELECT p, 3 * p, 1 + 3 * p % 4, date '2025-01-01' + p % 700, 10, 'bank_transfer',
       'SEPA-' || lpad(p::text, 8, '0'), 'manual', '', now()
FROM generate_series(1, 300000) AS p;

SELECT setval('companies_id_seq', 4), setval('numbering_series_id_seq', 4),
       setval('customers_id_seq', 100000), setval('invoices_id_seq', 1000000),
       setval('payments_id_seq', 300000);
