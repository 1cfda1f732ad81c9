using System.Reflection;

namespace ZscalerPki.Core.Storage;

/// <summary>
/// What System.Text.Json on .NET 8 does not check in a record read from the vault: a field the format requires (a
/// non-nullable reference property) that is missing or null, and an enum value outside its definition. Hand-edited or
/// damaged entries are then reported as corrupt when read, instead of failing later with a NullReferenceException.
/// </summary>
internal static class VaultRecordCheck
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static string? Problem(object record)
    {
        foreach (var property in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanRead)
                continue;
            var value = property.GetValue(record);
            var type = property.PropertyType;
            if (!type.IsValueType && value is null)
            {
                NullabilityInfo info;
                lock (Nullability)
                    info = Nullability.Create(property);
                if (info.ReadState == NullabilityState.NotNull)
                    return $"the field '{property.Name}' is missing";
            }
            var enumType = Nullable.GetUnderlyingType(type) ?? type;
            if (enumType.IsEnum && value is not null && !enumType.IsDefined(typeof(FlagsAttribute), false) && !Enum.IsDefined(enumType, value))
                return $"the field '{property.Name}' has the value {value}, which is not a {enumType.Name}";
        }
        return null;
    }
}
