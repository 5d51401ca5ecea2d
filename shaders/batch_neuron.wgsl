// One neuron's gradient sums over its run's samples with weights c = r_sh (the residual for a
// step, v for Jᵀv), and its activation flips against w0 where `flips`; shared by
// batch_train.wgsl and batch_tangent.wgsl. Samples in order: a fixed sum.

// RN ≥ the batch's largest n (src/gpu/batch.ts residualLength).
override RN: u32;
var<workgroup> r_sh: array<f32, RN>;

struct BatchNeuron {
  g: array<vec4<f32>, D4>,   // Σ_i c_i [z_i > 0] x_i
  s: NeuronSums,             // ga, flips and is_active (the caller adds the norms)
}

fn batch_neuron(run: BatchRun, w: ptr<function, array<vec4<f32>, D4>>, w0: ptr<function, array<vec4<f32>, D4>>, flips: bool) -> BatchNeuron {
  var out: BatchNeuron;
  for (var i = 0u; i < run.n; i++) {
    var x: array<vec4<f32>, D4>;
    var z4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) {
      x[k] = fixed4[run.x_off + i * D4 + k];
      z4 += (*w)[k] * x[k];
    }
    let z = hsum(z4);
    if (flips) {
      var y4 = vec4<f32>(0.0);
      /* unroll */ for (var k = 0u; k < D4; k++) { y4 += (*w0)[k] * x[k]; }
      if ((z > 0.0) != (hsum(y4) > 0.0)) { out.s.flips += 1u; }
    }
    if (z > 0.0) {
      out.s.is_active = 1u;
      let ci = r_sh[i];
      /* unroll */ for (var k = 0u; k < D4; k++) { out.g[k] += ci * x[k]; }
      out.s.ga += ci * z;
    }
  }
  return out;
}
