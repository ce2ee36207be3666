-- The person view (issue 15) finds one national code's services among millions.
CREATE INDEX services_national_code ON services (national_code);
