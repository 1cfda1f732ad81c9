// vault-churn: writes to a vault from a separate process.
//   create VAULT PREFIX COUNT TEMPLATE   create COUNT entries PREFIX-0..; TEMPLATE is an entry.json whose certificate is reused
//   forever VAULT PREFIX TEMPLATE         create, update and delete entries until killed; prints "ready" after the first write
//   revoke VAULT CA PASSWORD FOLDER TAG COUNT   revoke COUNT new serials (-Force) of the vault CA, publishing a CRL after each
//                                          second one; prints "revoked HEX" once a revocation is committed, "crl N" per CRL
//                                          (COUNT 0: until killed, "ready" after the first revocation); with a 7th
//                                          argument "delta", the publications alternate base and delta CRLs
using System.Text.Json;
using ZscalerPki.Core.Revocation;
using ZscalerPki.Core.Enrollment;
using ZscalerPki.Core.Storage;

var mode = args[0];
var vault = Vault.Open(args[1]);
if (mode == "revoke")
    return Revoker.Run(vault, args);
var prefix = args[2];
var template = JsonSerializer.Deserialize<EnrollmentEntry>(File.ReadAllText(args[^1]), Vault.Json)!;
var key = File.ReadAllText(Path.ChangeExtension(args[^1], ".p8"));

if (mode == "create")
{
    var count = int.Parse(args[3]);
    for (var i = 0; i < count; i++)
    {
        var name = $"{prefix}-{i}";
        using (vault.Lock())
            vault.Create(Collections.Enrollment, name, template with { Name = name, Description = $"written by {Environment.ProcessId}" }, key);
    }
    Console.WriteLine("done");
    return 0;
}

var n = 0;
while (true)
{
    var name = $"{prefix}-{n}";
    using (vault.Lock())
        vault.Create(Collections.Enrollment, name, template with { Name = name }, key);
    using (vault.Lock())
        vault.Update(Collections.Enrollment, name, template with { Name = name, Description = new string('x', 4096 + n % 100) });
    if (n % 3 == 2)
    {
        using (vault.Lock())
            vault.Delete(Collections.Enrollment, $"{prefix}-{n - 1}");
    }
    using (vault.Lock())
        vault.WriteSettings(new VaultSettings { Subscription = n % 2 == 0 ? Subscription.Software : Subscription.SoftwareAndHsm });
    if (n == 0)
        Console.WriteLine("ready");
    n++;
}

internal static class Revoker
{
    public static int Run(Vault vault, string[] args)
    {
        var (ca, password, folder, tag, count) = (args[2], args[3].ToCharArray(), args[4], args[5], int.Parse(args[6]));
        var deltas = args.Length > 7 && args[7] == "delta";
        var service = new RevocationService(vault);
        var publisher = new CrlPublisher(vault);
        for (var i = 0; count == 0 || i < count; i++)
        {
            var serial = $"{tag}{i:x8}";
            service.Revoke(new RevokeRequest { Issuer = ca, SerialNumber = serial, Reason = RevocationReason.KeyCompromise, Force = true });
            Console.WriteLine($"revoked {SerialNumbers.ToHex(SerialNumbers.Parse(serial))}");
            if (count == 0 && i == 0)
                Console.WriteLine("ready");
            if (i % 2 == 1)
            {
                var delta = deltas && i % 4 == 3;
                var crl = publisher.Publish(new PublishCrlRequest { Issuer = ca, Folder = folder, KeyPassword = password, Delta = delta }).Item;
                Console.WriteLine($"crl {crl.CrlNumber}");
            }
        }
        return 0;
    }
}
