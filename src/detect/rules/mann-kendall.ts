/** @module The Mann-Kendall trend test with the tie-corrected variance of S, and Sen's slope: the non-parametric trend pair of environmental monitoring. */

/*
 * Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13(3), 245–259.
 * Kendall, M. G. (1975). Rank Correlation Methods, 4th ed. Griffin, London.
 * Sen, P. K. (1968). Estimates of the regression coefficient based on Kendall's tau.
 *   Journal of the American Statistical Association 63(324), 1379–1389.
 * Hirsch, R. M., Slack, J. R., Smith, R. A. (1982). Techniques of trend analysis for monthly water quality
 *   data. Water Resources Research 18(1), 107–121 — the test with the continuity correction as used here.
 * Gilbert, R. O. (1987). Statistical Methods for Environmental Pollution Monitoring, §16.4, eqs. 16.3–16.5.
 */

export interface MannKendallResult {
  readonly n: number;
  /** S = Σ_{i<j} sign(x_j − x_i): positive for a rising series. */
  readonly s: number;
  /** Var(S) under H0 with the tie correction: [n(n−1)(2n+5) − Σ_p t_p(t_p−1)(2t_p+5)] / 18. */
  readonly varianceS: number;
  /** The standardised statistic with the continuity correction: (S − sign S) / √Var(S), 0 when S = 0. */
  readonly z: number;
  /** Two-sided p-value from the normal approximation, 2·(1 − Φ(|z|)). */
  readonly pValue: number;
  /** Kendall's τ_a = S / (n(n−1)/2). */
  readonly tau: number;
}

/**
 * The Mann-Kendall test of `values` in time order. Ties (equal values) contribute 0 to S and shrink
 * Var(S) by the tie correction. The normal approximation serves from about n = 10 (Hirsch et al. 1982);
 * with fewer points p is approximate. O(n²) for S, O(n log n) for the ties.
 */
export function mannKendall(values: ArrayLike<number>): MannKendallResult {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const xi = values[i]!;
    for (let j = i + 1; j < n; j++) {
      const d = values[j]! - xi;
      if (d > 0) s++;
      else if (d < 0) s--;
    }
  }

  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) tieTerm += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  const varianceS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;

  let z = 0;
  if (varianceS > 0) {
    if (s > 0) z = (s - 1) / Math.sqrt(varianceS);
    else if (s < 0) z = (s + 1) / Math.sqrt(varianceS);
  }
  const pairs = (n * (n - 1)) / 2;
  return {
    n,
    s,
    varianceS,
    z,
    pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)),
    tau: pairs > 0 ? s / pairs : 0,
  };
}

/**
 * Sen's slope: the median of (x_j − x_i) / (t_j − t_i) over all pairs i < j with t_i ≠ t_j, in value
 * units per time unit of `times`. Irregular times (gaps) are taken as they are. NaN with fewer than two
 * distinct times. O(n² log n).
 */
export function senSlope(times: ArrayLike<number>, values: ArrayLike<number>): number {
  const n = times.length;
  if (values.length !== n) throw new RangeError(`senSlope: ${n} times but ${values.length} values`);
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let m = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      const dt = times[j]! - times[i]!;
      if (dt !== 0) slopes[m++] = (values[j]! - values[i]!) / dt;
    }
  }
  if (m === 0) return Number.NaN;
  const used = slopes.subarray(0, m).sort();
  const mid = m >> 1;
  return m % 2 === 1 ? used[mid]! : (used[mid - 1]! + used[mid]!) / 2;
}

/** Φ(z), the standard normal distribution function. */
export function standardNormalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * The complementary error function with fractional error below 1.2·10⁻⁷ everywhere: the Chebyshev
 * fit of Press, Teukolsky, Vetterling & Flannery, Numerical Recipes in C, 2nd ed. (1992), §6.2 `erfcc`.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
