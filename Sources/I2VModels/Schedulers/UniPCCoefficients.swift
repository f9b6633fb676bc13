/// The host scalars of one UniPC update from the point s0 to the point t (`multistep_uni_p_bh_update` and
/// `multistep_uni_c_bh_update` in diffusers' `scheduling_unipc_multistep.py`, data prediction, bh2), each one
/// float32 operation as diffusers' 0-dim CPU tensors do it: the update is
/// x_t = (σ_t/σ_s0)·x − α_t·(e^−h − 1)·m0 − α_t·B(h)·(Σ ρ_k·D_k), h = λ_t − λ_s0, B(h) = e^−h − 1.
struct UniPCCoefficients {
  let from: SigmaTable.Point
  /// h, and hh = −h (`predict_x0`).
  let h: Float, hh: Float
  /// `h_phi_1 = torch.expm1(hh)`; bh2's `B_h` is the same call, so the same value.
  let hPhi1: Float
  /// `sigma_t / sigma_s0` (x's factor), `alpha_t * h_phi_1` (m0's) and `alpha_t * B_h` (the residual's).
  let sampleScale: Float, outputScale: Float, updateScale: Float

  init(from s0: SigmaTable.Point, to t: SigmaTable.Point, table: SigmaTable) {
    from = s0
    h = t.lambda - s0.lambda  // +∞ for the final σ = 0: then expm1(−∞) = −1 and the update returns m0
    hh = -h
    hPhi1 = table.expm1(hh)
    sampleScale = t.sigmaT / s0.sigmaT
    outputScale = t.alpha * hPhi1
    updateScale = t.alpha * hPhi1
  }

  /// rk = (λ_si − λ_s0) / h for an earlier point si.
  func ratio(_ si: SigmaTable.Point) -> Float { (si.lambda - from.lambda) / h }

  /// The corrector's ρ for order 2: `torch.linalg.solve(R, b)` with R = [[1, 1], [rk, 1]] and
  /// b_k = k!·h_phi_k / B_h, h_phi_1' = h_phi_1/hh − 1, h_phi_2' = h_phi_1'/hh − ½.
  func correctorRhos(_ rk: Float) -> (Float, Float) {
    var hPhiK = hPhi1 / hh - 1
    let b1 = (hPhiK * 1) / hPhi1
    hPhiK = hPhiK / hh - 0.5
    let b2 = (hPhiK * 2) / hPhi1
    return Self.solve(rk, b1, b2)
  }

  /// [[1, 1], [rk, 1]]·ρ = (b1, b2) as PyTorch's CPU `linalg.solve` (LAPACK `sgesv` from MKL) rounds it: LU with
  /// partial pivoting (rows swapped when |rk| > 1), the multiplier's product not fused, and the back substitution
  /// multiplying by each pivot's reciprocal. Checked against torch.linalg.solve on 20 000 random systems in
  /// UniPC's range (rk < 0), then on the step fixtures.
  static func solve(_ rk: Float, _ b1: Float, _ b2: Float) -> (Float, Float) {
    if abs(rk) > 1 {
      let l = 1 / rk  // the pivot row is (rk, 1 | b2)
      let u = 1 - l
      let y1 = b1 - l * b2
      let rho1 = y1 * (1 / u)
      return ((b2 - rho1) * l, rho1)
    }
    let u = 1 - rk
    let y1 = b2 - rk * b1
    let rho1 = y1 * (1 / u)
    return (b1 - rho1, rho1)
  }
}
