#!/bin/sh
# analyze_gen.sh N: N deterministic fill events on stdout, for
# b6000-analyze.sh.  Symbols S0..S499 and four strategies; each (strategy,
# symbol) alternates buys and sells (shorts for odd strategies) of 1 to 3
# partial fills, with a bar every 20 fills, at prices from a fixed LCG.
n=${1:-1000000}
awk -v n="$n" 'BEGIN {
	x = 12345
	base = 1709303400	# 2024-03-01T14:30:00Z
	for (i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) % 2147483648
		s = x % 500
		g = int(x / 500) % 4
		k = s * 4 + g
		if (!(k in pos))
			pos[k] = 0
		q = 1 + int(x / 2000) % 3
		px = 50 + (x % 10000) / 100
		if (g % 2 == 0) {
			side = pos[k] > 0 ? "sell" : "buy"
			pos[k] = pos[k] > 0 ? 0 : q
		} else {
			side = pos[k] > 0 ? "buy_to_cover" : "sell_short"
			pos[k] = pos[k] > 0 ? 0 : q
		}
		if (side == "sell" || side == "buy_to_cover")
			q = held[k]
		else
			held[k] = q
		t = base + int(i / 100)
		printf "{\"ev\":\"fill\",\"t\":\"%s\",\"sym\":\"S%d\",\"id\":\"o%d\",\"exec_id\":\"o%d-1\",\"side\":\"%s\",\"qty\":%d,\"price\":%.2f,\"fee\":0.01,\"strategy\":\"g%d\",\"batch\":\"bench\",\"stop_loss\":%.2f}\n", \
		    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), s, i, i, side, q, px, g, (g % 2 ? px + 1 : px - 1)
		if (i % 20 == 19)
			printf "{\"ev\":\"bar\",\"t\":\"%s\",\"sym\":\"S%d\",\"tf\":\"1m\",\"o\":%.2f,\"h\":%.2f,\"l\":%.2f,\"c\":%.2f,\"v\":100}\n", \
			    strftime("%Y-%m-%dT%H:%M:00Z", t, 1), s, px, px, px, px
	}
}'
