//! Times the hashing core on synthetic buffers: `cargo run --release -p hashbank-pdq --example core_time`.
use std::time::Instant;

fn main() {
    for (w, h) in [(4032usize, 3024usize), (512, 512), (1600, 1004)] {
        let data: Vec<u8> = (0..w * h * 3)
            .map(|i| ((i * 2654435761usize) >> 13) as u8)
            .collect();
        let image = pdq::Image::rgb(w, h, &data).unwrap();
        let runs = if w > 1000 { 10 } else { 200 };
        let start = Instant::now();
        let mut q = 0u32;
        for _ in 0..runs {
            q += u32::from(pdq::hash(&image).quality);
        }
        let per = start.elapsed() / runs;
        println!("{w}x{h}: {per:?} per hash ({q})");
    }
}
