# Run by CRuby 3.3 (ruby.wasm, reactor build from npm @ruby/3.3-wasm-wasi) inside the engine:
# the interpreter, its GC, exceptions and fibers (setjmp/longjmp and stack switching through
# asyncify), the embedded standard library (wasi-vfs), and WASI files in the preopen /sandbox.
require "json"
require "set"
require "digest"
require "stringio"

puts "ruby #{RUBY_VERSION} on #{RUBY_PLATFORM}"
puts "1+1 = #{1 + 1}, 2**200 = #{2**200}"
puts "30! = #{(1..30).reduce(:*)}, 7**77 % 1000003 = #{7.pow(77, 1000003)}"
puts "floats: #{0.1 + 0.2} #{1.0 / 3} #{10.0**20} #{Math.sqrt(2)} #{Math::PI.round(5)} #{(0.1).rationalize(Rational(1, 100))} #{1e-7.to_s}"
puts "format: #{format('%08.3f|%-6s|%x|%e|%+d', 3.14159, 'ab', 255, 12345.678, 42)}"

words = %w[pear apple fig banana cherry apple fig apple]
tally = words.tally.sort_by { |w, n| [-n, w] }
puts "tally: #{tally.inspect}"
puts "sorted: #{words.uniq.sort_by { |w| [w.size, w] }.join(',')}"
puts "set: #{Set.new(words).size} #{words.each_slice(3).map(&:join).inspect}"
h = { name: "wasm", list: [1, 2.5, nil, true, "ü"], nested: { a: { b: [] } } }
json = JSON.generate(h)
puts "json: #{json}"
puts "parsed back equal: #{JSON.parse(json, symbolize_names: true) == h}"
puts "pretty lines: #{JSON.pretty_generate(h).lines.count}"

Point = Struct.new(:x, :y) do
  def +(o) = Point.new(x + o.x, y + o.y)
  def to_s = "(#{x}, #{y})"
end
puts "struct: #{[Point.new(1, 2), Point.new(3, 4), Point.new(-1, 0)].reduce(:+)}"

# exceptions: raise/rescue/ensure across frames, retry, custom classes
class AppError < StandardError; end
attempts = 0
log = []
begin
  attempts += 1
  begin
    raise AppError, "attempt #{attempts}" if attempts < 3
    log << "succeeded"
  ensure
    log << "ensure #{attempts}"
  end
rescue AppError => e
  log << "rescued #{e.message}"
  retry
end
puts "exceptions: #{log.join('; ')}"
def deep(n) = n.zero? ? raise(ArgumentError, "bottom") : deep(n - 1)
begin
  deep(200)
rescue ArgumentError => e
  puts "deep raise caught: #{e.message}, backtrace #{e.backtrace.size > 100}"
end
puts "catch/throw: #{catch(:found) { 10.times { |i| throw :found, i * i if i == 7 }; :none }}"

# fibers and enumerators (stack switching)
fib = Enumerator.new do |y|
  a, b = 0, 1
  loop { y << a; a, b = b, a + b }
end
puts "fibonacci: #{fib.take(15).join(' ')}, 300th has #{fib.lazy.drop(300).first.to_s.size} digits"
f = Fiber.new do |x|
  sum = x
  while (v = Fiber.yield(sum))
    sum += v
  end
  sum
end
r = [f.resume(1), f.resume(2), f.resume(3), f.resume(nil)]
puts "fiber: #{r.inspect}"
ext = [1, 2, 3].each
puts "external enumerator: #{ext.next} #{ext.next} #{ext.next} #{begin; ext.next; rescue StopIteration; 'stop'; end}"

# strings, regexps, encodings
s = "Hello, Wörld! " * 3
puts "string: #{s.size} chars, #{s.bytesize} bytes, #{s.scan(/o|ö/).size} o's, #{s.upcase[0, 14]}, #{s.tr('lo', '01')[0, 14]}"
puts "regexp: #{'2024-06-01T12:34:56'.match(/(\d+)-(\d+)-(\d+)T(\d+):(\d+)/).captures.map(&:to_i).sum}"
puts "encodings: #{'héllo'.encode('UTF-16LE').bytesize} #{'abc'.unpack1('H*')} #{[1, 2, 65535].pack('S*').bytes.inspect}"
puts "digest: #{Digest::MD5.hexdigest('abc')} #{Digest::SHA256.hexdigest('abc')[0, 16]}"
io = StringIO.new
io.puts "to a StringIO"
io.printf("%05d\n", 42)
puts "stringio: #{io.string.inspect}"

# allocation-heavy work and the GC
objs = Array.new(200_000) { |i| [i, i.to_s, { k: i }] }
puts "allocated #{objs.size}, sum #{objs.sum { |a| a[0] }}"
objs = nil
GC.start
puts "gc count > 0: #{GC.count > 0}"
primes = (2..20_000).select { |n| (2..Integer.sqrt(n)).none? { |d| (n % d).zero? } }
puts "primes below 20000: #{primes.size}, last #{primes.last}"
srand(42)
puts "seeded rand: #{Array.new(5) { rand(1000) }.inspect}"
puts "random bytes: #{Random.new_seed.is_a?(Integer)} #{Random.urandom(8).bytesize}"

# WASI: environment, clocks, files in /sandbox
puts "ENV size #{ENV.size}, HOME=#{ENV['HOME'].inspect}"
puts "time after 2020: #{Time.now.year >= 2020}, monotonic #{Process.clock_gettime(Process::CLOCK_MONOTONIC) > 0}"
if Dir.exist?("/sandbox")
  Dir.mkdir("/sandbox/rb")
  File.write("/sandbox/rb/a.txt", "line 1\nline 2\n")
  File.open("/sandbox/rb/a.txt", "a") { |f| f.puts "line 3" }
  File.open("/sandbox/rb/b.bin", "wb") { |f| f.write((0..255).map(&:chr).join * 4) }
  puts "read: #{File.read('/sandbox/rb/a.txt').lines.map(&:chomp).inspect}"
  puts "sizes: #{File.size('/sandbox/rb/a.txt')} #{File.size('/sandbox/rb/b.bin')}, file? #{File.file?('/sandbox/rb/b.bin')} dir? #{File.directory?('/sandbox/rb')}"
  puts "glob: #{Dir.glob('/sandbox/rb/*').sort.map { |p| File.basename(p) }.inspect}"
  puts "children: #{Dir.children('/sandbox/rb').sort.inspect}"
  File.open("/sandbox/rb/b.bin", "rb") do |f|
    f.seek(-4, IO::SEEK_END)
    puts "tail bytes: #{f.read.bytes.inspect}, pos #{f.pos}"
  end
  File.rename("/sandbox/rb/a.txt", "/sandbox/rb/c.txt")
  begin
    File.read("/sandbox/rb/a.txt")
  rescue SystemCallError => e
    puts "missing file: #{e.class}"
  end
  File.delete("/sandbox/rb/b.bin", "/sandbox/rb/c.txt")
  Dir.rmdir("/sandbox/rb")
  File.write("/sandbox/keep.txt", "kept\n")
  puts "sandbox after: #{Dir.children('/sandbox').sort.inspect}"
end
$stdout.flush
