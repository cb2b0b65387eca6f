#!/usr/bin/env bash
# Writes a CSV of N plausible firearms (default 1,000,000) to stdout, for `ifcd import firearms`
# and the registry benchmarks. Deterministic for a given seed. Serial formats follow each make.
#   bash Deploy/bench/generate-firearms.sh [N] [SEED] > firearms.csv
set -euo pipefail
n="${1:-1000000}"
seed="${2:-42}"
awk -v n="$n" -v seed="$seed" '
function pick(list,    parts, count) { count = split(list, parts, "|"); return parts[int(rand() * count) + 1] }
BEGIN {
    srand(seed)
    split("Glock|Smith & Wesson|Taurus|Beretta|Ruger|Colt|SIG Sauer|Mossberg|Remington|CZ|Hi-Point|Kel-Tec|Browning|Walther|Heckler & Koch|FN Herstal|Springfield Armory|Winchester|Savage|Norinco", make, "|")
    split("pistol|pistol|pistol|pistol|rifle|revolver|pistol|shotgun|shotgun|pistol|pistol|pistol|rifle|pistol|submachine_gun|rifle|pistol|rifle|rifle|rifle", type, "|")
    split("AT|US|BR|IT|US|US|DE|US|US|CZ|US|US|BE|DE|DE|BE|US|US|US|CN", country, "|")
    # Calibres by type.
    cals["pistol"] = "9x19mm|.40 S&W|.45 ACP|.380 ACP|.22 LR"
    cals["revolver"] = ".357 Magnum|.38 Special"
    cals["rifle"] = ".308 Win|5.56x45mm|7.62x39mm|.22 LR"
    cals["shotgun"] = "12 gauge|20 gauge"
    cals["submachine_gun"] = "9x19mm|4.6x30mm"
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    print "make,model,type,calibre,serial,country_of_manufacture,year_of_manufacture,import_country,import_year,importer"
    for (i = 1; i <= n; i++) {
        m = int(rand() * 20) + 1
        # Per make: letters and digits in its own pattern, with the row number folded in so
        # that serials are unique per make.
        s = sprintf("%07d", i)
        l1 = substr(letters, int(rand() * 23) + 1, 1); l2 = substr(letters, int(rand() * 23) + 1, 1); l3 = substr(letters, int(rand() * 23) + 1, 1)
        if (m % 4 == 0)      serial = l1 l2 l3 s
        else if (m % 4 == 1) serial = l1 l2 "-" s
        else if (m % 4 == 2) serial = substr(s, 1, 3) "-" substr(s, 4) l1
        else                 serial = l1 s l2
        year = 1970 + int(rand() * 55)
        iy = year + int(rand() * 3); if (iy > 2025) iy = 2025
        printf "%s,M%d,%s,%s,%s,%s,%d,JM,%d,Caribbean Sporting Arms Ltd\n", \
            (index(make[m], "&") ? "\"" make[m] "\"" : make[m]), int(rand() * 40), type[m], pick(cals[type[m]]), serial, country[m], year, iy
    }
}'
