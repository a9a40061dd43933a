//! The video decoder child on its own: `hashbank-video-decoder
//! __video-decoder ARGS`, reading the video on stdin.

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    match args.split_first() {
        Some((first, rest)) if first == video::DECODER_COMMAND => {
            std::process::ExitCode::from(video::decoder_main(rest).clamp(0, 255) as u8)
        }
        _ => {
            eprintln!(
                "usage: hashbank-video-decoder {} ARGS",
                video::DECODER_COMMAND
            );
            std::process::ExitCode::from(2)
        }
    }
}
