-- 0001-init.sql: liu's first schema.  Runs, fills, picks, orders and
-- their status history, analysis, daily bars, ticker data, portfolios,
-- accounts with their transactions, and the keystore.
-- Money and prices are numeric (exact); times are timestamptz, with the
-- nanoseconds below the microsecond in a *_ns column where liu events
-- carry them, so an exported event has the time it came with.

CREATE TABLE algo_run (
	id		bigserial PRIMARY KEY,
	batch_id	text NOT NULL,
	strategy	text NOT NULL DEFAULT '',
	environment	text CHECK (environment IN ('BACKTEST', 'PAPER', 'PROD')),
	start_time	timestamptz,
	end_time	timestamptz,
	end_reason	text,
	parameters	jsonb NOT NULL DEFAULT '{}',
	replay_of	bigint REFERENCES algo_run (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (batch_id, strategy)
);
CREATE INDEX algo_run_start_idx ON algo_run (start_time);

-- Every fill and partial fill.  A fill is unique by its exec_id within
-- its batch: a second write of the same fill adds nothing.
CREATE TABLE new_trades (
	id		bigserial PRIMARY KEY,
	algo_run_id	bigint NOT NULL REFERENCES algo_run (id),
	batch_id	text NOT NULL,
	exec_id		text NOT NULL,
	client_order_id	text,
	order_id	text,
	symbol		text NOT NULL,
	operation	text NOT NULL CHECK (operation IN
			    ('buy', 'sell', 'sell_short', 'buy_to_cover')),
	qty		numeric NOT NULL,
	price		numeric NOT NULL,
	fee		numeric,
	partial		boolean,
	client_time	timestamptz NOT NULL,
	client_time_ns	smallint NOT NULL DEFAULT 0
			    CHECK (client_time_ns BETWEEN 0 AND 999),
	stop_loss	numeric,
	target		numeric,
	indicators	jsonb,
	extra		jsonb,
	stored_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (batch_id, exec_id)
);
CREATE INDEX new_trades_batch_time_idx ON new_trades
    (batch_id, client_time, client_time_ns, id);
CREATE INDEX new_trades_symbol_time_idx ON new_trades (symbol, client_time);

-- Picks: which scanner chose which symbol when.
CREATE TABLE trending_tickers (
	id		bigserial PRIMARY KEY,
	batch_id	text NOT NULL,
	symbol		text NOT NULL,
	scanner		text NOT NULL DEFAULT '',
	pick_time	timestamptz NOT NULL,
	pick_time_ns	smallint NOT NULL DEFAULT 0,
	strategies	jsonb,
	criteria	jsonb,
	UNIQUE (batch_id, symbol, scanner, pick_time, pick_time_ns)
);
CREATE INDEX trending_tickers_time_idx ON trending_tickers (pick_time);
CREATE INDEX trending_tickers_symbol_idx ON trending_tickers (symbol);

-- Orders, one row per client order id and batch, with the latest status.
CREATE TABLE orders (
	id		bigserial PRIMARY KEY,
	algo_run_id	bigint NOT NULL REFERENCES algo_run (id),
	batch_id	text NOT NULL,
	client_id	text NOT NULL,
	broker_id	text,
	symbol		text NOT NULL,
	side		text NOT NULL CHECK (side IN
			    ('buy', 'sell', 'sell_short', 'buy_to_cover')),
	qty		numeric NOT NULL,
	type		text,
	limit_price	numeric,
	stop_price	numeric,
	tif		text,
	stop_loss	numeric,
	target		numeric,
	why		jsonb,
	extra		jsonb,
	order_time	timestamptz NOT NULL,
	order_time_ns	smallint NOT NULL DEFAULT 0,
	status		text NOT NULL DEFAULT 'new',
	status_time	timestamptz,
	UNIQUE (batch_id, client_id)
);
CREATE INDEX orders_batch_time_idx ON orders (batch_id, order_time);
CREATE INDEX orders_symbol_idx ON orders (symbol, order_time);

-- The status history of orders: one row per order_update event.
CREATE TABLE order_events (
	id		bigserial PRIMARY KEY,
	batch_id	text NOT NULL,
	client_id	text NOT NULL,
	symbol		text,
	status		text NOT NULL,
	event_time	timestamptz NOT NULL,
	event_time_ns	smallint NOT NULL DEFAULT 0,
	why		jsonb,
	extra		jsonb,
	UNIQUE (batch_id, client_id, status, event_time, event_time_ns)
);
CREATE INDEX order_events_batch_time_idx ON order_events
    (batch_id, event_time);

-- liu-analyze's "analysis" events (one per round trip), kept whole.
CREATE TABLE trade_analysis (
	id		bigserial PRIMARY KEY,
	batch_id	text NOT NULL,
	strategy	text,
	symbol		text,
	event_time	timestamptz NOT NULL,
	event_time_ns	smallint NOT NULL DEFAULT 0,
	r_units		numeric,
	gain		numeric,
	event		jsonb NOT NULL,
	digest		text NOT NULL,
	UNIQUE (batch_id, digest)
);
CREATE INDEX trade_analysis_batch_idx ON trade_analysis (batch_id, event_time);

-- liu-analyze's "summary" events, kept whole.
CREATE TABLE run_summary (
	id		bigserial PRIMARY KEY,
	batch_id	text NOT NULL,
	strategy	text,
	event_time	timestamptz NOT NULL,
	event_time_ns	smallint NOT NULL DEFAULT 0,
	event		jsonb NOT NULL,
	digest		text NOT NULL,
	UNIQUE (batch_id, digest)
);

-- Gain and loss consolidated per batch, strategy and symbol (liu-mine).
CREATE TABLE gain_loss (
	id		bigserial PRIMARY KEY,
	batch_id	text NOT NULL,
	strategy	text NOT NULL DEFAULT '',
	symbol		text NOT NULL,
	trades		integer NOT NULL DEFAULT 0,
	wins		integer NOT NULL DEFAULT 0,
	losses		integer NOT NULL DEFAULT 0,
	gain		numeric NOT NULL DEFAULT 0,
	fees		numeric NOT NULL DEFAULT 0,
	r_units		numeric,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (batch_id, strategy, symbol)
);

-- Daily bars, with the indicator fields liu-ta added.
CREATE TABLE stock_ohlc (
	id		bigserial PRIMARY KEY,
	symbol		text NOT NULL,
	day		date NOT NULL,
	open		numeric,
	high		numeric,
	low		numeric,
	close		numeric,
	volume		numeric,
	vwap		numeric,
	trades		bigint,
	indicators	jsonb,
	UNIQUE (symbol, day)
);
CREATE INDEX stock_ohlc_day_idx ON stock_ohlc (day);

-- What we know of a ticker (liu-mine).
CREATE TABLE ticker_data (
	symbol		text PRIMARY KEY,
	name		text,
	exchange	text,
	sector		text,
	industry	text,
	market_cap	numeric,
	shares		numeric,
	data		jsonb,
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- Accounts and their transactions.  The balance is kept by a trigger:
-- every transaction adds its amount to the account's balance under a row
-- lock and records the balance after it; transactions are append-only.
CREATE TABLE accounts (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL UNIQUE,
	currency	text NOT NULL DEFAULT 'USD',
	balance		numeric NOT NULL DEFAULT 0,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE account_transactions (
	id		bigserial PRIMARY KEY,
	account_id	bigint NOT NULL REFERENCES accounts (id),
	tx_time		timestamptz NOT NULL DEFAULT now(),
	kind		text NOT NULL CHECK (kind IN ('deposit', 'withdrawal',
			    'trade', 'fee', 'dividend', 'interest',
			    'adjustment')),
	amount		numeric NOT NULL,
	balance_after	numeric,
	batch_id	text,
	ref		text,
	note		text
);
CREATE INDEX account_transactions_account_idx ON account_transactions
    (account_id, id);

CREATE FUNCTION liu_account_tx_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE accounts SET balance = balance + NEW.amount, updated_at = now()
	    WHERE id = NEW.account_id
	    RETURNING balance INTO NEW.balance_after;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no account %', NEW.account_id;
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER account_transactions_apply BEFORE INSERT
    ON account_transactions FOR EACH ROW EXECUTE FUNCTION liu_account_tx_apply();

CREATE FUNCTION liu_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER account_transactions_append_only BEFORE UPDATE OR DELETE
    ON account_transactions FOR EACH ROW EXECUTE FUNCTION liu_append_only();

-- The balance may only change through a transaction.
CREATE FUNCTION liu_account_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' AND NEW.balance <> 0 THEN
		RAISE EXCEPTION 'a new account starts at 0: deposit';
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.balance IS DISTINCT FROM OLD.balance AND
	    pg_trigger_depth() < 2 THEN
		RAISE EXCEPTION 'change a balance through account_transactions';
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER accounts_guard BEFORE INSERT OR UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION liu_account_guard();

-- Portfolios group runs.
CREATE TABLE portfolio (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL UNIQUE,
	account_id	bigint REFERENCES accounts (id),
	created_at	timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE portfolio_batch_ids (
	portfolio_id	bigint NOT NULL REFERENCES portfolio (id),
	batch_id	text NOT NULL,
	PRIMARY KEY (portfolio_id, batch_id)
);

-- Values strategies keep across runs.
CREATE TABLE keystore (
	key		text PRIMARY KEY,
	value		text NOT NULL,
	updated_at	timestamptz NOT NULL DEFAULT now()
);
