//! `hashbank-decoder`: the video decoder `hashbank` runs beside itself.
//!
//! It alone links FFmpeg's libraries, so that `hashbank` (the server among
//! them) never maps them. `hashbank` starts it once as a spawner and has it
//! fork a child per video (`hashbank-decoder __video-decoder spawner`), or
//! per file (`hashbank-decoder __video-decoder ARGS`, the video on stdin).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match args.split_first() {
        Some((first, rest)) if first == video::DECODER_COMMAND => {
            ExitCode::from(video::decoder_main(rest).clamp(0, 255) as u8)
        }
        _ => {
            eprintln!(
                "hashbank-decoder is run by hashbank to decode videos, not by hand \
                 (hashbank-decoder {} ARGS, the video on stdin)",
                video::DECODER_COMMAND
            );
            ExitCode::from(2)
        }
    }
}
