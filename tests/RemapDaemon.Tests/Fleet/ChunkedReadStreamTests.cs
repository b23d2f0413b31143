using RemapDaemon.Fleet;
using RemapDaemon.Fleet.Hub;

namespace RemapDaemon.Tests.Fleet;

/// <summary>An extract read chunk by chunk: on demand, one request ahead, never past its length.</summary>
public sealed class ChunkedReadStreamTests
{
    [Theory]
    [InlineData(0, 1000)]
    [InlineData(999, 1000)]
    [InlineData(1000, 1000)]
    [InlineData(1001, 1000)]
    [InlineData(700_000, FleetNames.MaxChunk)]
    public void Reads_the_whole_file_in_chunks_of_at_most_the_chunk_size_and_asks_for_nothing_past_its_end(int length, int chunk)
    {
        byte[] remote = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        var host = new FakeHost(remote);
        using var stream = new ChunkedReadStream(host.Fetch, length, "x", chunk);

        var copy = new MemoryStream();
        stream.CopyTo(copy, 4096);

        copy.ToArray().Should().Equal(remote);
        host.Requests.Where(r => r.Length <= 0 || r.Length > chunk || r.Offset + r.Length > length).Should().BeEmpty();
        host.Requests.Select(r => r.Offset).Should().Equal(Enumerable.Range(0, (length + chunk - 1) / chunk).Select(i => (long)i * chunk));
        stream.Requests.Should().Be(host.Requests.Count);
        stream.Read(new byte[10]).Should().Be(0, "at the end");
        host.Requests.Should().HaveCount((length + chunk - 1) / chunk, "nothing asked after the end");
    }

    [Fact]
    public void Fetches_on_demand_with_one_request_ahead()
    {
        var host = new FakeHost(new byte[10_000]);
        using var stream = new ChunkedReadStream(host.Fetch, 10_000, "x", 1000);

        host.Requests.Should().BeEmpty("nothing is fetched before the first read");
        stream.ReadExactly(new byte[10]);
        host.Requests.Should().HaveCount(2, "the chunk being read and the next one");
        stream.ReadExactly(new byte[990]);
        host.Requests.Should().HaveCount(2, "the first chunk is not used up until a read needs more");
        stream.ReadExactly(new byte[1]);
        host.Requests.Should().HaveCount(3);
    }

    [Fact]
    public void A_chunk_shorter_than_asked_or_empty_before_the_end_is_an_error_naming_the_extract()
    {
        var shortHost = new FakeHost(new byte[5000]) { Cut = 100 };
        using var cut = new ChunkedReadStream(shortHost.Fetch, 5000, "host h1's extract 7", 1000);
        cut.Invoking(s => s.ReadExactly(new byte[10])).Should().Throw<InvalidDataException>()
            .WithMessage("host h1's extract 7: 900 bytes at byte 0 where 1000 were asked for");

        var gone = new FakeHost(new byte[500]);
        using var longer = new ChunkedReadStream(gone.Fetch, 5000, "e", 1000);
        longer.Invoking(s => s.ReadExactly(new byte[10])).Should().Throw<InvalidDataException>().WithMessage("e: 500 bytes at byte 0 where 1000 were asked for");

        var empty = new FakeHost([]);
        using var none = new ChunkedReadStream(empty.Fetch, 5000, "e", 1000);
        none.Invoking(s => s.ReadExactly(new byte[10])).Should().Throw<InvalidDataException>().WithMessage("e: ended at byte 0 of 5000");
    }

    [Fact]
    public void A_failed_request_surfaces_on_the_read_that_needs_it()
    {
        var host = new FakeHost(new byte[3000]) { FailAt = 1000 };
        using var stream = new ChunkedReadStream(host.Fetch, 3000, "e", 1000);

        stream.ReadExactly(new byte[1000]);
        stream.Invoking(s => s.ReadExactly(new byte[1])).Should().Throw<FleetHostException>().WithMessage("chunk at 1000 failed");
    }

    [Fact]
    public void A_chunk_larger_than_the_fleets_limit_is_refused()
    {
        Action create = () => _ = new ChunkedReadStream((_, _, _) => Task.FromResult(ReadOnlyMemory<byte>.Empty), 10, "e", FleetNames.MaxChunk + 1);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private sealed class FakeHost(byte[] data)
    {
        public List<(long Offset, int Length)> Requests { get; } = [];

        public int Cut { get; init; }

        public long FailAt { get; init; } = -1;

        public Task<ReadOnlyMemory<byte>> Fetch(long offset, int length, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add((offset, length));
            }

            if (offset == FailAt)
            {
                return Task.FromException<ReadOnlyMemory<byte>>(new FleetHostException("h", $"chunk at {offset} failed"));
            }

            int n = (int)Math.Max(0, Math.Min(length - Cut, data.Length - offset));
            return Task.FromResult<ReadOnlyMemory<byte>>(data.AsMemory((int)Math.Min(offset, data.Length), n));
        }
    }
}
