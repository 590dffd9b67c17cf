#!/usr/bin/env python3
"""Writes P384Field's generated methods (Java) and checks their bounds.

Usage: python3 scripts/p384-field-gen.py > /tmp/gen.java, then replace the bodies of mulUnrolled,
sqrUnrolled, reduce, lin and canonical in
planetary-zssp/src/main/java/dev/planetary/zssp/crypto/P384Field.java (their Javadoc is kept by
hand there); P384FieldTest, P384OracleTest and P384InverseTest check the result.

Every intermediate value is tracked as an exact integer interval (for any input words below
2^32): the script fails if a long could overflow, a word meant to be non-negative could go
negative, or the value handed to the final conditional subtraction could leave [0, 2p).
"""
P = 2**384 - 2**128 - 2**96 + 2**32 - 1
C = 2**384 - P                      # 2^384 ≡ C = 2^128 + 2^96 − 2^32 + 1 (mod p)
M32 = 2**32 - 1
LMAX, LMIN = 2**63 - 1, -2**63
PW = [(P >> (32 * i)) & M32 for i in range(12)]

def check(lo, hi, what):
    assert LMIN <= lo <= hi <= LMAX, what
    return (lo, hi)

def columns(square):
    """Java for the 24 column sums c0..c23 into cols[], and their bound."""
    L = []
    L.append("long a0 = a[0] | (a[1] << 32), a1 = a[2] | (a[3] << 32), a2 = a[4] | (a[5] << 32);")
    L.append("long a3 = a[6] | (a[7] << 32), a4 = a[8] | (a[9] << 32), a5 = a[10] | (a[11] << 32);")
    if not square:
        L.append("long b0 = b[0] | (b[1] << 32), b1 = b[2] | (b[3] << 32), b2 = b[4] | (b[5] << 32);")
        L.append("long b3 = b[6] | (b[7] << 32), b4 = b[8] | (b[9] << 32), b5 = b[10] | (b[11] << 32);")
    # Per 64-bit column k: lo = Σ t and hi = Σ u (t, u the low and high halves of the 128-bit limb
    # products) wrap modulo 2^64, loH = Σ (t >>> 32) and hiH = Σ (u >>> 32) are exact. The 32-bit
    # column 2k + 1 gets loH plus the previous column's hiH; column 2k gets the low pieces, whose
    # exact sum (below 2^36) is (lo + previous hi) − (column 2k + 1 << 32) modulo 2^64.
    L.append("long t, u, lo, loH, hi, hiH, pHi = 0, pHiH = 0, odd;")
    L.append("long[] c = cols;")
    bound = 0
    prev = 0  # pieces carried from the previous 64-bit column
    def acc(x, y, first):
        op = "=" if first else "+="
        return [f"t = {x} * {y}; u = Math.unsignedMultiplyHigh({x}, {y});",
                f"lo {op} t; loH {op} t >>> 32; hi {op} u; hiH {op} u >>> 32;"]
    for k in range(11):
        pairs = [(i, k - i) for i in range(6) if 0 <= k - i < 6]
        L.append(f"// 64-bit column {k}: 32-bit columns {2*k}, {2*k+1} get its low pieces, {2*k+2}, {2*k+3} its high ones")
        first = True
        if square:
            off = [(i, j) for (i, j) in pairs if i < j]
            diag = [(i, j) for (i, j) in pairs if i == j]
            for (i, j) in off:
                L += acc(f"a{i}", f"a{j}", first)
                first = False
            if off:
                L.append("lo <<= 1; loH <<= 1; hi <<= 1; hiH <<= 1;")
            for (i, j) in diag:
                L += acc(f"a{i}", f"a{i}", first)
                first = False
            pieces = 2 * len(off) + len(diag)
        else:
            for (i, j) in pairs:
                L += acc(f"a{i}", f"b{j}", first)
                first = False
            pieces = len(pairs)
        L.append(f"odd = loH + pHiH; c[{2*k+1}] = odd; c[{2*k}] = lo + pHi - (odd << 32); pHi = hi; pHiH = hiH;")
        bound = max(bound, (pieces + prev) * M32)
        prev = pieces
    L.append("c[23] = pHiH; c[22] = pHi - (pHiH << 32);")
    bound = max(bound, prev * M32)
    check(0, bound, "column")
    return L, bound

def reduction(colmax):
    """Java of reduce(out, cols) and the checks of its bounds."""
    L = []
    # fold 1: c_i·2^(32i), i ≥ 12, ≡ c_i·2^(32(i−12))·(2^128 + 2^96 − 2^32 + 1): words i−12 (+), i−11 (−), i−9 (+), i−8 (+)
    terms = {j: [] for j in range(16)}
    for i in range(12):
        terms[i].append((+1, i))
    for i in range(12, 24):
        for (d, s) in ((-12, +1), (-11, -1), (-9, +1), (-8, +1)):
            terms[i + d].append((s, i))
    # padding: a multiple of p whose words 0..12 are ≥ the most any word can lose, so all words are ≥ 0
    neg = [sum(colmax for (s, _) in terms[j] if s < 0) for j in range(16)]
    K = 2**36
    assert max(neg) <= K
    m = P << 40
    s = [(m >> (32 * i)) & M32 for i in range(16)]
    assert m >> (32 * 14) == 0 and s[13] >= K >> 32
    pad = [s[i] + (K if i <= 12 else 0) - ((K >> 32) if 1 <= i <= 13 else 0) for i in range(16)]
    assert sum(pad[i] << (32 * i) for i in range(16)) == m and m % P == 0
    rb = []
    for j in range(16):
        expr = " ".join(("+" if sg > 0 else "-") + f" c[{i}]" for (sg, i) in terms[j])
        if pad[j]:
            expr += f" + 0x{pad[j]:X}L"
        L.append(f"long r{j} = {expr.lstrip('+ ')};")
        lo = pad[j] - neg[j]
        hi = pad[j] + sum(colmax for (sg, _) in terms[j] if sg > 0)
        assert lo >= 0, f"word {j} may be negative"
        rb.append(check(lo, hi, f"r{j}"))
    # one parallel carry step: every word keeps its low 32 bits and receives the previous word's high bits
    L.append("// one carry step, all words at once (no chain): word i keeps its low 32 bits plus word i−1's high bits")
    L.append("long s0 = r0 & M32;")
    sb = [(0, M32)]
    for j in range(1, 16):
        L.append(f"long s{j} = (r{j} & M32) + (r{j-1} >>> 32);")
        sb.append(check(0, M32 + (rb[j - 1][1] >> 32), f"s{j}"))
    L.append("long s16 = r15 >>> 32;")
    sb.append((0, rb[15][1] >> 32))
    # the value is now Lo + Hi·2^384 with Lo = s0..s11, Hi = s12..s16; fold 2: Hi·2^384 ≡ Hi·C, words j, j+1 (−), j+3, j+4
    hi_max = sum(sb[12 + j][1] << (32 * j) for j in range(5))
    lo_max = sum(sb[j][1] << (32 * j) for j in range(12))
    vmax = lo_max + hi_max * C
    assert vmax < 2 * P, "value before the final subtraction may reach 2p"
    fin = {j: [(+1, f"s{j}")] for j in range(12)}
    for j in range(5):
        for (d, sg) in ((0, +1), (1, -1), (3, +1), (4, +1)):
            fin[j + d].append((sg, f"s{12 + j}"))
    L.append("// fold 2 (Hi·2^384 ≡ Hi·(2^128 + 2^96 − 2^32 + 1)); the value is now in [0, 2p)")
    xb = []
    for j in range(12):
        expr = " ".join(("+" if sg > 0 else "-") + f" {v}" for (sg, v) in fin[j])
        L.append(f"long x{j} = {expr.lstrip('+ ')};")
        lo = sum(sb[int(v[1:])][0] if sg > 0 else -sb[int(v[1:])][1] for (sg, v) in fin[j])
        hi = sum(sb[int(v[1:])][1] if sg > 0 else -sb[int(v[1:])][0] for (sg, v) in fin[j])
        xb.append(check(lo, hi, f"x{j}"))
    L.append("canonical(out, " + ", ".join(f"x{j}" for j in range(12)) + ");")
    return L, pad, vmax, xb

def canonical(xbounds):
    """Java of canonical(out, x0..x11): the value Σ x_i·2^(32i), known to lie in [0, 2p), reduced."""
    for (lo, hi) in xbounds:
        check(lo - M32 - 2**40, hi + 2**40, "chain")
    L = ["// normalise v and v − p as two independent chains; keep v if v − p borrowed (v < p)", "long v, d;"]
    for j in range(12):
        carry_v = "" if j == 0 else " + (v >> 32)"
        carry_d = "" if j == 0 else " + (d >> 32)"
        L.append(f"v = x{j}{carry_v}; d = x{j} - 0x{PW[j]:X}L{carry_d}; x{j} = v & M32; long y{j} = d & M32;")
    L.append("long keep = d >> 63; // all ones when v < p")
    for j in range(12):
        L.append(f"out[{j}] = y{j} ^ ((y{j} ^ x{j}) & keep);")
    return L

KMAX = 8

def lin():
    """Java of lin(out, a, ka, b, kb) = ka·a + kb·b mod p, 0 ≤ ka ≤ 8, −8 ≤ kb ≤ 8, inputs < 2^384."""
    K = KMAX * M32                     # the most kb·b can take from a word
    m = P << 8
    s = [(m >> (32 * i)) & M32 for i in range(13)]
    assert m >> (32 * 13) == 0 and s[12] >= 8
    pad = [s[i] + (2**35 if i <= 11 else 0) - (8 if 1 <= i <= 12 else 0) for i in range(13)]
    assert sum(pad[i] << (32 * i) for i in range(13)) == m and all(pad[i] >= K for i in range(12))
    L = []
    xb = []
    for i in range(12):
        L.append(f"long r{i} = ka * a[{i}] + kb * b[{i}] + 0x{pad[i]:X}L;")
        xb.append(check(pad[i] - K, pad[i] + 2 * K, f"lin r{i}"))
        assert xb[-1][0] >= 0
    L.append("// one carry step, all words at once, then the top word (< 2^9) folded with 2^384 ≡ 2^128 + 2^96 − 2^32 + 1")
    L.append("long s0 = r0 & M32;")
    sb = [(0, M32)]
    for i in range(1, 12):
        L.append(f"long s{i} = (r{i} & M32) + (r{i-1} >>> 32);")
        sb.append((0, M32 + (xb[i - 1][1] >> 32)))
    L.append(f"long s12 = 0x{pad[12]:X}L + (r11 >>> 32);")
    top = (pad[12], pad[12] + (xb[11][1] >> 32))
    vmax = sum(sb[i][1] << (32 * i) for i in range(12)) + top[1] * C
    assert vmax < 2 * P
    fb = list(sb)
    for (d, sg) in ((0, +1), (1, -1), (3, +1), (4, +1)):
        fb[d] = (fb[d][0] - top[1], fb[d][1]) if sg < 0 else (fb[d][0], fb[d][1] + top[1])
    L.append("canonical(out, s0 + s12, s1 - s12, s2, s3 + s12, s4 + s12, s5, s6, s7, s8, s9, s10, s11);")
    return L, fb


if __name__ == "__main__":
    mcols, mb = columns(False)
    scols, sb_ = columns(True)
    red, pad, vmax, xb = reduction(max(mb, sb_))
    lin_lines, lin_b = lin()
    can = canonical([(min(a[0], b[0]), max(a[1], b[1])) for a, b in zip(xb, lin_b)])
    ind = "        "
    print("    static void mulUnrolled(long[] out, long[] a, long[] b, long[] cols) {")
    for l in mcols: print(ind + l)
    print(ind + "reduce(out, c);")
    print("    }\n")
    print("    static void sqrUnrolled(long[] out, long[] a, long[] cols) {")
    for l in scols: print(ind + l)
    print(ind + "reduce(out, c);")
    print("    }\n")
    print("    static void reduce(long[] out, long[] c) {")
    for l in red: print(ind + l)
    print("    }\n")
    print("    static void lin(long[] out, long[] a, int ka, long[] b, int kb) {")
    for l in lin_lines: print(ind + l)
    print("    }\n")
    print("    private static void canonical(long[] out, " + ", ".join(f"long x{j}" for j in range(6)) + ",")
    print("            " + ", ".join(f"long x{j}" for j in range(6, 12)) + ") {")
    for l in can: print(ind + l)
    print("    }")
    import sys
    print(f"// column bound {max(mb, sb_).bit_length()} bits, value before final subtraction < 2^384 + 2^{(vmax - 2**384).bit_length()}", file=sys.stderr)
