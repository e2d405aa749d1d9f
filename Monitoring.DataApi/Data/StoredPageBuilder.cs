namespace Monitoring.DataApi.Data;

/// <summary>
/// Cuts a page out of items read in key order (one more than the limit is read, so that a full page knows whether
/// another follows): at most <c>limit</c> items totalling at most the value budget, the first item always included.
/// Every store builds its pages with it, so they end at the same item.
/// </summary>
public sealed class StoredPageBuilder(int limit, long valueBudgetBytes)
{
    private readonly List<StoredItem> _items = new(Math.Min(limit, 128));
    private long _valueBytes;
    private bool _full;

    /// <summary>Adds the next item read; false when the page is full and reading can stop.</summary>
    public bool TryAdd(StoredItem item)
    {
        if (_items.Count == limit || (_items.Count > 0 && _valueBytes + item.ValueJson.Length > valueBudgetBytes))
        {
            _full = true;
            return false;
        }
        _valueBytes += item.ValueJson.Length;
        _items.Add(item);
        return true;
    }

    /// <summary>The page; its cursor is the last item's key when items were left over, null on the last page.</summary>
    public StoredPage Build() => new(_items, _full ? _items[^1].Key : null);
}
