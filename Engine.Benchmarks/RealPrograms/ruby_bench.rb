# The real-program benchmark's Ruby workload (Engine.Benchmarks 'real'): CRuby's interpreter loop, method calls,
# blocks, object allocation and GC, bignums, floats, strings, hashes and sorting, a few seconds of each runner's
# time. Deterministic: every runner must print the same lines.

def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)

Node = Struct.new(:left, :right)
def tree(depth) = depth.zero? ? Node.new(nil, nil) : Node.new(tree(depth - 1), tree(depth - 1))
def check(node) = node.left ? 1 + check(node.left) + check(node.right) : 1

def mandelbrot(size)
  count = 0
  size.times do |y|
    ci = 2.0 * y / size - 1.0
    size.times do |x|
      cr = 2.0 * x / size - 1.5
      zr = zi = 0.0
      i = 0
      while i < 50 && zr * zr + zi * zi <= 4.0
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        i += 1
      end
      count += 1 if i == 50
    end
  end
  count
end

def words(n)
  rng = Random.new(42)
  letters = ("a".."z").to_a
  counts = Hash.new(0)
  n.times { counts[Array.new(rng.rand(1..4)) { letters[rng.rand(6)] }.join] += 1 }
  counts.sort_by { |word, count| [-count, word] }.first(3)
end

puts "fib(25) = #{fib(25)}"
puts "trees: #{(1..4).map { |i| check(tree(12 + i % 2)) }.sum}"
puts "mandelbrot: #{mandelbrot(120)}"
puts "words: #{words(60_000).inspect}"
puts "digits of 1500!: #{(1..1500).inject(:*).to_s.size}"
puts "sorted: #{Array.new(100_000) { |i| (i * 7919) % 100_003 }.sort.each_slice(1000).map(&:first).sum}"
s = +""
20_000.times { |i| s << i.to_s(36) << "," }
puts "string: #{s.size} #{s.scan(/z\w/).size} #{s.tr('a-m', 'n-z').count('z')}"
