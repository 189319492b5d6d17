-- 0002-portfolio.sql: portfolios with a size, a credit and an account of
-- their own, whose cash follows the fills of the portfolio's batches.
-- A fill's cash flow is one 'trade' transaction (ref 'fill:ID', the
-- new_trades id; sales and short sales add qty * price, buys and covers
-- take it) and, when it has a fee, one 'fee' transaction (ref 'fee:ID').
-- The balance trigger now also refuses a transaction that states a
-- balance_after other than the balance it makes.

ALTER TABLE portfolio ADD COLUMN size numeric NOT NULL DEFAULT 0
    CHECK (size >= 0);
ALTER TABLE portfolio ADD COLUMN credit numeric NOT NULL DEFAULT 0
    CHECK (credit >= 0);
CREATE INDEX account_transactions_ref_idx ON account_transactions
    (account_id, ref);

CREATE OR REPLACE FUNCTION liu_account_tx_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	after numeric;
BEGIN
	UPDATE accounts SET balance = balance + NEW.amount, updated_at = now()
	    WHERE id = NEW.account_id
	    RETURNING balance INTO after;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no account %', NEW.account_id
		    USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF NEW.balance_after IS NOT NULL AND NEW.balance_after <> after THEN
		RAISE EXCEPTION 'account %: the balance after would be %, not %',
		    NEW.account_id, after, NEW.balance_after
		    USING ERRCODE = 'check_violation';
	END IF;
	NEW.balance_after := after;
	RETURN NEW;
END;
$$;

-- A new portfolio: its account, named as it is, and the deposit of its
-- size.  Returns its id.
CREATE FUNCTION liu_portfolio_create(psize numeric, pcredit numeric,
    pname text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	pid bigint := nextval(pg_get_serial_sequence('portfolio', 'id'));
	nm text := coalesce(pname, 'portfolio-' || pid);
	acct bigint;
BEGIN
	IF psize IS NULL OR psize <= 0 THEN
		RAISE EXCEPTION 'a portfolio size must be positive'
		    USING ERRCODE = 'check_violation';
	END IF;
	INSERT INTO accounts (name) VALUES (nm) RETURNING id INTO acct;
	INSERT INTO portfolio (id, name, account_id, size, credit)
	    VALUES (pid, nm, acct, psize, coalesce(pcredit, 0));
	INSERT INTO account_transactions (account_id, kind, amount, ref, note)
	    VALUES (acct, 'deposit', psize, 'portfolio:' || pid,
	    'portfolio size');
	RETURN pid;
END;
$$;

-- The cash flows of the fills of a portfolio's batches (of one batch when
-- pbatch is not null) that its account lacks, appended in fill order.
-- Returns how many transactions were appended.
CREATE FUNCTION liu_portfolio_sync(pid bigint, pbatch text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	acct bigint;
	n integer;
BEGIN
	SELECT account_id INTO acct FROM portfolio WHERE id = pid;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no portfolio %', pid
		    USING ERRCODE = 'foreign_key_violation';
	END IF;
	IF acct IS NULL THEN
		RETURN 0;	-- a portfolio made by hand, without an account
	END IF;
	PERFORM 1 FROM accounts WHERE id = acct FOR UPDATE;
	INSERT INTO account_transactions (account_id, tx_time, kind, amount,
	    batch_id, ref, note)
	SELECT acct, t.client_time, x.kind, x.amount, t.batch_id, x.ref, x.note
	FROM portfolio_batch_ids b
	JOIN new_trades t ON t.batch_id = b.batch_id
	CROSS JOIN LATERAL (VALUES
	    (1, 'trade', CASE WHEN t.operation IN ('sell', 'sell_short')
		THEN t.qty * t.price ELSE -(t.qty * t.price) END,
		'fill:' || t.id,
		t.operation || ' ' || t.qty || ' ' || t.symbol || ' at ' ||
		t.price),
	    (2, 'fee', -t.fee, 'fee:' || t.id, 'fee of ' || t.exec_id))
	    AS x(k, kind, amount, ref, note)
	WHERE b.portfolio_id = pid
	    AND (pbatch IS NULL OR b.batch_id = pbatch)
	    AND (x.k = 1 OR coalesce(t.fee, 0) <> 0)
	    AND NOT EXISTS (SELECT 1 FROM account_transactions a
		WHERE a.account_id = acct AND a.ref = x.ref)
	ORDER BY t.client_time, t.client_time_ns, t.id, x.k;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END;
$$;

-- Rebuild a portfolio's cash from its stored fills: append what the sync
-- lacks, then one 'adjustment' so that the balance is the deposits,
-- withdrawals, dividends and interest plus every fill's cash flow.
-- Returns the adjustment (0 when none was needed).
CREATE FUNCTION liu_portfolio_recalc(pid bigint) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	acct bigint;
	want numeric;
	have numeric;
BEGIN
	PERFORM liu_portfolio_sync(pid, NULL);
	SELECT account_id INTO acct FROM portfolio WHERE id = pid;
	IF acct IS NULL THEN
		RAISE EXCEPTION 'portfolio % has no account', pid
		    USING ERRCODE = 'foreign_key_violation';
	END IF;
	SELECT coalesce(sum(amount), 0) INTO want FROM account_transactions
	    WHERE account_id = acct AND kind IN ('deposit', 'withdrawal',
	    'dividend', 'interest');
	SELECT want + coalesce(sum(CASE WHEN t.operation IN ('sell',
	    'sell_short') THEN t.qty * t.price ELSE -(t.qty * t.price) END -
	    coalesce(t.fee, 0)), 0) INTO want
	    FROM portfolio_batch_ids b JOIN new_trades t
	    ON t.batch_id = b.batch_id WHERE b.portfolio_id = pid;
	SELECT balance INTO have FROM accounts WHERE id = acct;
	IF want <> have THEN
		INSERT INTO account_transactions (account_id, kind, amount,
		    balance_after, ref, note)
		    VALUES (acct, 'adjustment', want - have, want, 'recalc',
		    'recalc: cash rebuilt from the stored fills');
	END IF;
	RETURN want - have;
END;
$$;
