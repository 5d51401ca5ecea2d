// Both gradient sums of one neuron at the current point, with weights c = the bound `r`
// (the residual for a step, v for Jᵀv), summed over samples in a fixed order.

struct Gradient {
  g: array<vec4<f32>, D4>,   // Σ_i c_i [z_ir > 0] x_i
  ga: f32,                   // Σ_i c_i relu(z_ir)
}

fn neuron_gradient(w: ptr<function, array<vec4<f32>, D4>>) -> Gradient {
  var out: Gradient;
  for (var i = 0u; i < dims.n; i++) {
    var z4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) { z4 += (*w)[k] * X[i * D4 + k]; }
    let z = hsum(z4);
    if (z > 0.0) {
      let ci = r[i];
      /* unroll */ for (var k = 0u; k < D4; k++) { out.g[k] += ci * X[i * D4 + k]; }
      out.ga += ci * z;
    }
  }
  return out;
}
