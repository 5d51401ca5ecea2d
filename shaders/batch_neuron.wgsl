// A block of BLOCK_ITEMS neurons' gradient sums over their run's samples with weights
// c_i = sample_weight(run, i) (the residual for a step, v for Jᵀv: in workgroup memory where a
// workgroup holds the run, batch_resident.wgsl, in vars1 on the spread schedule,
// batch_spread.wgsl), and their activation flips against w0 where `flips`; shared by every
// batch kernel. Each sample's x, read once, serves the block. Per neuron the samples are summed
// in order: a fixed sum, the same as one at a time.

/** Item u of a block (a sample's x, a neuron's w, w0 or g) has its D4 vec4s at u·D4. */
alias BlockRows = array<vec4<f32>, BLOCK_ITEMS * D4>;

/**
 * Item u of the block an invocation takes from `first`: first + u·WG, or else the run's last
 * item (a block past the end repeats an item of the run, whose results the caller does not
 * keep; on the spread schedule a tile's `first` itself can be past the end).
 */
fn block_item(first: u32, u: u32, count: u32) -> u32 {
  return select(count - 1u, first + u * WG, first + u * WG < count);
}

/** The block of rows from `first` of `count` rows at `off` in fixed4 (X or W0). */
fn fixed_rows(off: u32, first: u32, count: u32) -> BlockRows {
  var rows: BlockRows;
  /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
    let r = block_item(first, u, count);
    /* unroll */ for (var k = 0u; k < D4; k++) { rows[u * D4 + k] = fixed4[off + r * D4 + k]; }
  }
  return rows;
}

/** The block of the run's neurons from `first` in W. */
fn w_rows(run: BatchRun, first: u32) -> BlockRows {
  var rows: BlockRows;
  /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
    let r = block_item(first, u, run.m);
    /* unroll */ for (var k = 0u; k < D4; k++) { rows[u * D4 + k] = vars4[run.w_off + r * D4 + k]; }
  }
  return rows;
}

struct BatchNeurons {
  g: BlockRows,                          // Σ_i c_i [z_i > 0] x_i per neuron
  s: array<NeuronSums, BLOCK_ITEMS>,     // ga, flips and is_active (the caller adds the norms)
}

fn batch_neurons(run: BatchRun, w: ptr<function, BlockRows>, w0: ptr<function, BlockRows>, flips: bool) -> BatchNeurons {
  // Zeroed explicitly, as batch_train.wgsl's sums in a loop (SwiftShader).
  var out = BatchNeurons();
  for (var i = 0u; i < run.n; i++) {
    var x: array<vec4<f32>, D4>;
    /* unroll */ for (var k = 0u; k < D4; k++) { x[k] = fixed4[run.x_off + i * D4 + k]; }
    let ci = sample_weight(run, i);
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
