# Writes the query list of the HTTP benchmark: one URL-encoded value a line, alternating a hit
# (a phone number of the generated CSV) and a miss (a valid mobile number not in it), each
# written in one of the forms people type, so the service's normaliser does its real work.
#   awk -v n=200000 -v seed=11 -f queries.awk INDICATORS.csv > queries.txt
# Input: fraudidx-gen CSV (kind,value,...); only phone rows are used.

function nsn_of(v,    d) {
    d = v
    gsub(/[^0-9]/, "", d)
    if (length(d) == 11 && substr(d, 1, 2) == "84")
        return substr(d, 3)
    if (length(d) == 10 && substr(d, 1, 1) == "0")
        return substr(d, 2)
    return ""
}

# The national significant number (9 digits) as typed, already URL-encoded.
function written(s,    f, z) {
    z = "0" s
    f = int(rand() * 8)
    if (f == 0) return z                                            # 0912345678
    if (f == 1) return "%2B84" s                                    # +84912345678
    if (f == 2) return substr(z, 1, 4) "%20" substr(z, 5, 3) "%20" substr(z, 8)  # 0912 345 678
    if (f == 3) return substr(z, 1, 4) "." substr(z, 5, 3) "." substr(z, 8)      # 0912.345.678
    if (f == 4) return "84" s                                       # 84912345678
    if (f == 5) return "%28%2B84%29%20" substr(s, 1, 2) "%20" substr(s, 3, 3) "%20" substr(s, 6)
    if (f == 6) return "%2B84%20" substr(s, 1, 2) "%20" substr(s, 3, 3) "%20" substr(s, 6)
    return substr(z, 1, 4) "-" substr(z, 5, 3) "-" substr(z, 8)    # 0912-345-678
}

function digits(k,    out, i) {
    out = ""
    for (i = 0; i < k; i++)
        out = out int(rand() * 10)
    return out
}

# A mobile number of the generator's prefixes (data/generator.c) that is not in the set.
function miss(    s) {
    do {
        if (rand() < 0.9)
            s = p2[int(rand() * np2)] digits(7)
        else
            s = p3[int(rand() * np3)] digits(6)
    } while (s in have)
    return s
}

BEGIN {
    FS = ","
    srand(seed ? seed : 11)
    np2 = split("30 31 32 33 34 35 36 37 38 39 51 56 58 59 70 76 77 78 79 81 82 83 84 85 86 87 88 90 91 92 93 94 95 96 97 98", t2, " ")
    for (i = 1; i <= np2; i++) p2[i - 1] = t2[i]
    np3 = split("522 523 528 559 896 897 898 899 990 991 993 994 995 996 997 998", t3, " ")
    for (i = 1; i <= np3; i++) p3[i - 1] = t3[i]
}

NR > 1 && $1 == "phone" {
    s = nsn_of($2)
    if (s != "" && !(s in have)) {
        have[s] = 1
        all[nall++] = s
    }
}

END {
    if (nall == 0) {
        print "queries.awk: no phone rows in the input" > "/dev/stderr"
        exit 1
    }
    for (i = 0; i < n; i += 2) {
        print written(all[int(rand() * nall)])
        print written(miss())
    }
}
