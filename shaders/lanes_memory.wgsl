// lanes_subgroup.wgsl's functions where the device has no subgroups: a lane group of one, so
// forward_gemm.wgsl's butterflies run no step and its lanes are summed through workgroup memory.

const LANE_GROUP: u32 = 1u;

fn lane_swap_f32(v: f32, k: u32) -> f32 { return v; }
fn lane_swap_u32(v: u32, k: u32) -> u32 { return v; }
fn lanes_adjacent(lid: u32) -> bool { return true; }
