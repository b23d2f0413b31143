using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace RemapDaemon.Fleet;

/// <summary>
/// Every message of one subject of a stream, from its start, through an ephemeral consumer that
/// filters on the server with the singular <c>filter_subject</c>: nats-server 2.9 does not know
/// the plural <c>filter_subjects</c> that NATS.Net's ordered consumer sends, ignores it, and would
/// hand out every message of the stream.
/// </summary>
public static class StreamSubjectReader
{
    private const int Batch = 500;

    /// <summary>Calls <paramref name="each"/> with every message of <paramref name="subject"/> in <paramref name="stream"/>, in order, until none is pending.</summary>
    public static async Task ReadAsync(INatsJSContext js, string stream, string subject, Action<NatsJSMsg<byte[]>> each, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentNullException.ThrowIfNull(each);
        INatsJSConsumer consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig
        {
            Name = "read-" + Guid.NewGuid().ToString("N"),
            FilterSubject = subject,
            AckPolicy = ConsumerConfigAckPolicy.None,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            InactiveThreshold = TimeSpan.FromSeconds(30),
            MemStorage = true,
            NumReplicas = 1,
        }, cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                int got = 0;
                bool caughtUp = false;
                await foreach (NatsJSMsg<byte[]> msg in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = Batch }, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    got++;
                    each(msg);
                    caughtUp = msg.Metadata is { NumPending: 0 };
                }

                if (got == 0 || caughtUp)
                {
                    return;
                }
            }
        }
        finally
        {
            try
            {
                await js.DeleteConsumerAsync(stream, consumer.Info.Name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NATS.Client.Core.NatsException)
            {
                // It goes by itself after InactiveThreshold.
            }
        }
    }
}
