-- The worker reads the due deliveries in event order; with a large backlog, sorting
-- every pending delivery on each poll made delivery slow down as the backlog grew.
CREATE INDEX webhook_deliveries_pending_in_order ON webhook_deliveries (state, event_cursor);
