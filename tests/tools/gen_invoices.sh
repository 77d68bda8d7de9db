#!/bin/sh
# gen_invoices.sh [COUNT [SEED]] - COUNT (default 5) made-up invoices, one
# JSON object per line, in the shape of the course's POS simulator
# (03-KafkaStreamDemo): InvoiceNumber, CreatedTime (epoch ms), StoreID,
# PosID, CashierID, CustomerType, CustomerCardNo, TotalAmount,
# NumberOfItems, PaymentMethod, TaxableAmount, CGST, SGST, CESS,
# DeliveryType, DeliveryAddress (home deliveries only), InvoiceLineItems.
# The same COUNT and SEED give the same lines (a Park-Miller generator in
# awk's doubles, exact on every awk).  For `make demo-kafka`.
exec awk -v n="${1:-5}" -v seed="${2:-1}" '
function rnd(k) { x = (x * 16807) % 2147483647; return x % k }
function dig(k,   s) { s = ""; while (k-- > 0) s = s rnd(10); return s }
function num(v) { return (v == int(v)) ? sprintf("%d.0", v) : sprintf("%.10g", v) }
BEGIN {
	x = (seed % 2147483646) + 1
	for (i = 0; i < 20; i++) rnd(2)
	split("Desk lamp|Tea kettle|Bookshelf|Wall clock|Rug|Pillow|Bath towel|Chair|Vase|Mirror", items, "|")
	split("Pune|Nagpur|Indore|Mysore|Surat", cities, "|")
	split("Maharashtra|Maharashtra|Madhya Pradesh|Karnataka|Gujarat", states, "|")
	t = 1600000000000
	for (i = 1; i <= n; i++) {
		t += 500 + rnd(2000)
		k = 1 + rnd(4)
		lines = ""; total = 0
		for (j = 1; j <= k; j++) {
			it = 1 + rnd(10); price = 100 + rnd(3000); qty = 1 + rnd(3)
			total += price * qty
			lines = lines (j > 1 ? "," : "") sprintf("{\"ItemCode\":\"%d\",\"ItemDescription\":\"%s\",\"ItemPrice\":%s,\"ItemQty\":%d,\"TotalValue\":%s}", 100 + it, items[it], num(price), qty, num(price * qty))
		}
		home = rnd(2)
		addr = ""
		if (home) {
			c = 1 + rnd(5)
			addr = sprintf("\"DeliveryAddress\":{\"AddressLine\":\"%d Main Rd.\",\"City\":\"%s\",\"State\":\"%s\",\"PinCode\":\"%s\",\"ContactNumber\":\"%s\"},", 1 + rnd(999), cities[c], states[c], dig(6), dig(10))
		}
		printf("{\"InvoiceNumber\":\"%s\",\"CreatedTime\":%.0f,\"StoreID\":\"STR%s\",\"PosID\":\"POS%s\",\"CashierID\":\"OAS%s\",\"CustomerType\":\"%s\",\"CustomerCardNo\":\"%s\",\"TotalAmount\":%s,\"NumberOfItems\":%d,\"PaymentMethod\":\"%s\",\"TaxableAmount\":%s,\"CGST\":%s,\"SGST\":%s,\"CESS\":%s,\"DeliveryType\":\"%s\",%s\"InvoiceLineItems\":[%s]}\n", \
			dig(8), t, dig(4), dig(3), dig(3), rnd(2) ? "PRIME" : "NONPRIME", dig(10), num(total), k, \
			rnd(2) ? "CARD" : "CASH", num(total), num(total * 0.025), num(total * 0.025), num(total * 0.00125), \
			home ? "HOME-DELIVERY" : "TAKEAWAY", addr, lines)
	}
}'
