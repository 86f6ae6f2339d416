// Rust std on wasm32-wasi at the edges: unsupported features (threads, processes, sockets,
// permissions, try_clone) and the io::ErrorKind / raw WASI errno of many failing file operations
// in /sandbox, plus positioned I/O through std::os::wasi::fs::FileExt (unstable in 1.63: built with
// RUSTC_BOOTSTRAP=1).
#![feature(wasi_ext)]
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
fn e<T: std::fmt::Debug>(r: std::io::Result<T>) -> String { match r { Ok(v) => format!("ok {:?}", v), Err(e) => format!("err {:?} {:?}", e.kind(), e.raw_os_error()) } }
fn main() {
    println!("spawn: {:?}", std::thread::Builder::new().spawn(|| 1).map(|_| ()).map_err(|e| e.kind()));
    println!("command: {}", e(std::process::Command::new("ls").output().map(|_| ())));
    println!("tcp: {}", e(std::net::TcpListener::bind("127.0.0.1:0").map(|_| ())));
    println!("set_current_dir: {}", e(std::env::set_current_dir("/sandbox")));
    let mut f = File::create("/sandbox/f.txt").unwrap();
    f.write_all(b"0123456789").unwrap();
    println!("sync_all: {}", e(f.sync_all()));
    println!("sync_data: {}", e(f.sync_data()));
    let mut p = f.metadata().unwrap().permissions(); p.set_readonly(true);
    println!("set_permissions: {}", e(fs::set_permissions("/sandbox/f.txt", p)));
    println!("try_clone: {}", e(f.try_clone().map(|_| ())));
    drop(f);
    use std::os::wasi::fs::FileExt;
    let f = OpenOptions::new().read(true).write(true).open("/sandbox/f.txt").unwrap();
    let mut b = [0u8; 4];
    println!("read_at: {} {:?}", e(f.read_at(&mut b, 3)), b);
    println!("write_at: {}", e(f.write_at(b"ab", 20)));
    println!("len: {}", f.metadata().unwrap().len());
    println!("symlink_metadata: {}", e(fs::symlink_metadata("/sandbox/f.txt").map(|m| m.file_type().is_file())));
    println!("read_link of file: {}", e(fs::read_link("/sandbox/f.txt")));
    println!("metadata of dir: {}", e(fs::metadata("/sandbox").map(|m| (m.is_dir(), m.len() > 0))));
    println!("accessed: {}", e(fs::metadata("/sandbox/f.txt").and_then(|m| m.accessed()).map(|_| ())));
    println!("created: {}", e(fs::metadata("/sandbox/f.txt").and_then(|m| m.created()).map(|_| ())));
    let mut r = File::open("/sandbox/f.txt").unwrap();
    println!("write on read-only: {}", e(r.write(b"x")));
    println!("seek end+5: {}", e(r.seek(SeekFrom::End(5))));
    let mut s = String::new();
    println!("read past end: {}", e(r.read_to_string(&mut s)));
    println!("open dir as file for write: {}", e(OpenOptions::new().write(true).open("/sandbox")));
    println!("create in missing dir: {}", e(File::create("/sandbox/no/such/f")));
    println!("remove missing: {}", e(fs::remove_file("/sandbox/nothing")));
    println!("rename dir into itself: {}", { fs::create_dir("/sandbox/d").unwrap(); e(fs::rename("/sandbox/d", "/sandbox/d/e")) });
    println!("rename file over dir: {}", e(fs::rename("/sandbox/f.txt", "/sandbox/d")));
    println!("rename dir over file: {}", e(fs::rename("/sandbox/d", "/sandbox/f.txt")));
    println!("hard link to dir: {}", e(fs::hard_link("/sandbox/d", "/sandbox/dl")));
    println!("long name: {}", e(File::create(format!("/sandbox/{}", "n".repeat(300)))));
    println!("nul in name: {}", e(File::create("/sandbox/a\0b")));
    println!("dot name: {}", e(File::create("/sandbox/.")));
    println!("trailing slash on file: {}", e(fs::metadata("/sandbox/f.txt/")));
    println!("exists: {} {}", std::path::Path::new("/sandbox/d").exists(), std::path::Path::new("/nope").exists());
    let mut names: Vec<_> = fs::read_dir("/sandbox").unwrap().map(|x| x.unwrap().file_name()).collect(); names.sort();
    println!("{:?}", names);
}
