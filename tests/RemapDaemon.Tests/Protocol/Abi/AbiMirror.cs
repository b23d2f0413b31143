using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RemapDaemon.Protocol.Abi;

namespace RemapDaemon.Tests.Protocol.Abi;

internal sealed record AbiField(string Name, int Offset, string CType);

internal sealed record AbiStruct(string Name, int Size, IReadOnlyList<AbiField> Fields);

/// <summary>A constant as C sees it: its C type ("int", "unsigned int", "string") and value.</summary>
internal sealed record AbiConstant(string Name, string CType, object Value)
{
    /// <summary>CType of an ioctl request number: its value is checked, its C type is not.</summary>
    public const string IoctlRequest = "ioctl request";
}

/// <summary>
/// What the C# mirror claims about skbremap.h, read by reflection from RemapDaemon.Protocol.Abi:
/// every skbremap_* struct (size, field offsets, field C types) and every constant of
/// <see cref="Skbremap"/>. Records, so a test can corrupt one claim and watch gcc object.
/// </summary>
internal sealed record AbiMirror(IReadOnlyList<AbiStruct> Structs, IReadOnlyList<AbiConstant> Constants)
{
    private static readonly Dictionary<Type, string> CTypes = new()
    {
        [typeof(byte)] = "__u8",
        [typeof(sbyte)] = "__s8",
        [typeof(ushort)] = "__u16",
        [typeof(short)] = "__s16",
        [typeof(uint)] = "__u32",
        [typeof(int)] = "__s32",
        [typeof(ulong)] = "__u64",
        [typeof(long)] = "__s64",
    };

    public static AbiMirror FromAssembly()
    {
        var assembly = typeof(Skbremap).Assembly;
        var structs = assembly.GetExportedTypes()
            .Where(t => t.IsValueType && t.Name.StartsWith("skbremap_", StringComparison.Ordinal))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(DescribeStruct)
            .ToList();
        var constants = typeof(Skbremap).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral || f.IsInitOnly)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(DescribeConstant)
            .ToList();
        return new AbiMirror(structs, constants);
    }

    private static AbiStruct DescribeStruct(Type type)
    {
        if (type.StructLayoutAttribute?.Value != LayoutKind.Sequential)
        {
            throw new InvalidOperationException($"{type.Name} must be [StructLayout(LayoutKind.Sequential)]");
        }

        // Marshal's layout is the managed one only for blittable structs; insist on it.
        var managedSize = (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!;
        var marshalSize = Marshal.SizeOf(type);
        if (managedSize != marshalSize)
        {
            throw new InvalidOperationException($"{type.Name}: managed size {managedSize} != marshalled size {marshalSize}");
        }

        var fields = type.GetFields(BindingFlags.Public | BindingFlags.Instance)
            .Select(f => new AbiField(f.Name, (int)Marshal.OffsetOf(type, f.Name), CTypeOf(f)))
            .OrderBy(f => f.Offset)
            .ToList();
        return new AbiStruct(type.Name, managedSize, fields);
    }

    private static string CTypeOf(FieldInfo field)
    {
        var fixedBuffer = field.GetCustomAttribute<FixedBufferAttribute>();
        if (fixedBuffer is not null)
        {
            return $"{CTypes[fixedBuffer.ElementType]}[{fixedBuffer.Length}]";
        }

        if (CTypes.TryGetValue(field.FieldType, out var scalar))
        {
            return scalar;
        }

        if (field.FieldType.Name.StartsWith("skbremap_", StringComparison.Ordinal))
        {
            return $"struct {field.FieldType.Name}";
        }

        throw new InvalidOperationException($"{field.DeclaringType!.Name}.{field.Name}: no C type for {field.FieldType}");
    }

    private static AbiConstant DescribeConstant(FieldInfo field)
    {
        var value = field.GetValue(null)!;

        // _IOR/_IOW/_IOWR fold sizeof() into the number, so in C they are unsigned long while
        // _IO is unsigned int; ioctl(2) takes unsigned long either way. Only the value is ABI.
        if (field.IsInitOnly && value is uint && field.Name.StartsWith("SKBREMAP_IOC_", StringComparison.Ordinal))
        {
            return new AbiConstant(field.Name, AbiConstant.IoctlRequest, value);
        }

        var cType = value switch
        {
            int => "int",
            uint => "unsigned int",
            string => "string",
            _ => throw new InvalidOperationException($"{field.Name}: unexpected constant type {value.GetType()}"),
        };
        return new AbiConstant(field.Name, cType, value);
    }
}
