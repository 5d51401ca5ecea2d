// A block of BLOCK_ITEMS neurons' gradient sums over their run's samples with weights c = r_sh
// (the residual for a step, v for Jᵀv), and their activation flips against w0 where `flips`;
// shared by batch_train.wgsl and batch_tangent.wgsl. Each sample's x, read once, serves the
// block. Per neuron the samples are summed in order: a fixed sum, the same as one at a time.

// RN ≥ the batch's largest n (src/gpu/batch.ts residualLength).
override RN: u32;
var<workgroup> r_sh: array<f32, RN>;

/** Neuron u of a block has its D4 vec4s of w (and w0, g) at u·D4. */
alias BlockWeights = array<vec4<f32>, BLOCK_ITEMS * D4>;

struct BatchNeurons {
  g: BlockWeights,                       // Σ_i c_i [z_i > 0] x_i per neuron
  s: array<NeuronSums, BLOCK_ITEMS>,     // ga, flips and is_active (the caller adds the norms)
}

fn batch_neurons(run: BatchRun, w: ptr<function, BlockWeights>, w0: ptr<function, BlockWeights>, flips: bool) -> BatchNeurons {
  // Zeroed explicitly, as batch_train.wgsl's sums in a loop (SwiftShader).
  var out = BatchNeurons();
  for (var i = 0u; i < run.n; i++) {
    var x: array<vec4<f32>, D4>;
    /* unroll */ for (var k = 0u; k < D4; k++) { x[k] = fixed4[run.x_off + i * D4 + k]; }
    let ci = r_sh[i];
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      var z4 = vec4<f32>(0.0);
      /* unroll */ for (var k = 0u; k < D4; k++) { z4 += (*w)[u * D4 + k] * x[k]; }
      let z = hsum(z4);
      if (flips) {
        var y4 = vec4<f32>(0.0);
        /* unroll */ for (var k = 0u; k < D4; k++) { y4 += (*w0)[u * D4 + k] * x[k]; }
        if ((z > 0.0) != (hsum(y4) > 0.0)) { out.s[u].flips += 1u; }
      }
      if (z > 0.0) {
        out.s[u].is_active = 1u;
        /* unroll */ for (var k = 0u; k < D4; k++) { out.g[u * D4 + k] += ci * x[k]; }
        out.s[u].ga += ci * z;
      }
    }
  }
  return out;
}
