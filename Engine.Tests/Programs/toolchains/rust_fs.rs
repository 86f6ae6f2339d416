// Rust std::fs on wasm32-wasi inside the preopened directory /sandbox: directories, files,
// metadata, read_dir, OpenOptions (append, create_new, truncate), seeking, set_len, rename,
// copy, hard links, removal, and the io::ErrorKind of the usual failures.
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::UNIX_EPOCH;

fn kind<T>(r: io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("{:?} (errno {:?})", e.kind(), e.raw_os_error()),
    }
}

fn listing(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            let tag = if t.is_dir() { "/" } else if t.is_symlink() { "@" } else { "" };
            format!("{}{}", e.file_name().to_string_lossy(), tag)
        })
        .collect();
    names.sort();
    names
}

fn checksum(data: &[u8]) -> u32 {
    // FNV-1a
    data.iter().fold(0x811c9dc5u32, |h, &b| (h ^ b as u32).wrapping_mul(0x01000193))
}

fn main() -> io::Result<()> {
    let root = "/sandbox";
    println!("root is dir: {}", fs::metadata(root)?.is_dir());

    fs::create_dir_all(format!("{}/a/b/c", root))?;
    println!("create_dir existing: {}", kind(fs::create_dir(format!("{}/a", root))));
    println!("create_dir_all again: {}", kind(fs::create_dir_all(format!("{}/a/b", root))));

    fs::write(format!("{}/a/hello.txt", root), "Hello from Rust\n")?;
    let text = fs::read_to_string(format!("{}/a/hello.txt", root))?;
    print!("read back: {}", text);

    // append
    {
        let mut f = OpenOptions::new().append(true).open(format!("{}/a/hello.txt", root))?;
        writeln!(f, "appended line")?;
        f.write_all(b"and more\n")?;
    }
    let text = fs::read_to_string(format!("{}/a/hello.txt", root))?;
    println!("after append: {:?}", text);

    // create_new on an existing file, truncate
    println!("create_new existing: {}", kind(OpenOptions::new().write(true).create_new(true).open(format!("{}/a/hello.txt", root))));
    println!("open missing: {}", kind(File::open(format!("{}/nope.txt", root))));
    println!("read_to_string of a dir: {}", kind(fs::read_to_string(format!("{}/a", root))));
    println!("remove_dir non-empty: {}", kind(fs::remove_dir(format!("{}/a", root))));
    println!("remove_file on dir: {}", kind(fs::remove_file(format!("{}/a/b", root))));
    println!("escape via ..: {}", kind(File::open(format!("{}/../etc/passwd", root))));
    println!("absolute outside: {}", kind(File::open("/etc/passwd")));

    // a larger file, written through a BufWriter, read back in chunks with seeks
    let big = format!("{}/a/b/c/big.bin", root);
    {
        let mut w = BufWriter::new(File::create(&big)?);
        for i in 0..200_000u32 {
            w.write_all(&[(i % 251) as u8])?;
        }
        w.flush()?;
    }
    let data = fs::read(&big)?;
    println!("big: {} bytes, fnv {:08x}", data.len(), checksum(&data));
    let meta = fs::metadata(&big)?;
    println!("metadata: len={} file={} dir={} readonly={}", meta.len(), meta.is_file(), meta.is_dir(), meta.permissions().readonly());
    let modified = meta.modified()?.duration_since(UNIX_EPOCH).unwrap().as_secs();
    println!("modified after 2020: {}", modified > 1_577_836_800);

    let mut f = OpenOptions::new().read(true).write(true).open(&big)?;
    let mut buf = [0u8; 8];
    f.seek(SeekFrom::Start(1000))?;
    f.read_exact(&mut buf)?;
    println!("at 1000: {:?}", buf);
    let pos = f.seek(SeekFrom::End(-3))?;
    let n = f.read(&mut buf)?;
    println!("end-3 = {}: read {} bytes {:?}", pos, n, &buf[..n]);
    println!("read at EOF: {}", f.read(&mut buf)?);
    f.seek(SeekFrom::Current(-100))?;
    f.write_all(b"PATCH")?;
    println!("position after patch: {}", f.stream_position()?);
    println!("seek before start: {}", kind(f.seek(SeekFrom::Current(-1_000_000))));
    f.set_len(150_000)?;
    f.seek(SeekFrom::Start(0))?;
    let mut all = Vec::new();
    f.read_to_end(&mut all)?;
    println!("after set_len: {} bytes, fnv {:08x}", all.len(), checksum(&all));
    f.set_len(150_010)?;
    println!("extended: {} bytes, tail {:?}", f.metadata()?.len(), {
        let mut t = [9u8; 10];
        f.seek(SeekFrom::Start(150_000))?;
        f.read_exact(&mut t)?;
        t
    });
    drop(f);

    // line-oriented reading
    let mut w = File::create(format!("{}/lines.txt", root))?;
    for i in 1..=50 {
        writeln!(w, "line {} {}", i, "x".repeat(i % 7))?;
    }
    drop(w);
    let r = BufReader::new(File::open(format!("{}/lines.txt", root))?);
    let lens: usize = r.lines().map(|l| l.unwrap().len()).sum();
    println!("lines total length: {}", lens);

    // rename, copy, hard link
    fs::rename(format!("{}/lines.txt", root), format!("{}/a/b/moved.txt", root))?;
    println!("old name gone: {}", !Path::new(&format!("{}/lines.txt", root)).exists());
    let copied = fs::copy(format!("{}/a/b/moved.txt", root), format!("{}/copy.txt", root))?;
    println!("copied {} bytes", copied);
    println!("hard_link: {}", kind(fs::hard_link(format!("{}/copy.txt", root), format!("{}/a/link.txt", root))));
    println!("rename onto non-empty dir: {}", kind(fs::rename(format!("{}/copy.txt", root), format!("{}/a", root))));
    println!("canonicalize: {}", kind(fs::canonicalize(format!("{}/a", root))));

    println!("root: {:?}", listing(root));
    println!("a: {:?}", listing(&format!("{}/a", root)));
    println!("a/b: {:?}", listing(&format!("{}/a/b", root)));

    // many entries: read_dir must page through fd_readdir
    fs::create_dir(format!("{}/many", root))?;
    for i in 0..300 {
        File::create(format!("{}/many/entry-with-a-long-name-{:04}.dat", root, i))?;
    }
    let many = listing(&format!("{}/many", root));
    println!("many: {} entries, first {:?}, last {:?}", many.len(), many.first().unwrap(), many.last().unwrap());

    // clean up everything but keep.txt (each listing is read completely before anything in it is
    // removed: wasmtime's fd_readdir cookies are positions, so deleting while iterating skips
    // entries there, and std's remove_dir_all does exactly that)
    for name in &many {
        fs::remove_file(format!("{}/many/{}", root, name))?;
    }
    fs::remove_dir(format!("{}/many", root))?;
    for f in ["a/b/c/big.bin", "a/b/moved.txt", "a/hello.txt", "a/link.txt"] {
        fs::remove_file(format!("{}/{}", root, f))?;
    }
    for d in ["a/b/c", "a/b", "a"] {
        fs::remove_dir(format!("{}/{}", root, d))?;
    }
    fs::rename(format!("{}/copy.txt", root), format!("{}/keep.txt", root))?;
    println!("final: {:?}", listing(root));
    Ok(())
}
