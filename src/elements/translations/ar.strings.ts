import type { Translation } from '../shared/localize.js';

// Arabic is written right to left: the elements use logical CSS properties and follow the page's `dir`.
export default {
  dropHint: 'أفلت الملفات هنا أو',
  browse: 'اختر ملفات',
  valueMissing: 'أضف ملفًا',
  stateLocal: 'محفوظ على هذا الجهاز',
  stateUploading: (p) => `جارٍ الرفع ${p}٪`,
  stateSynced: 'متزامن',
  statePendingRemote: 'بانتظار الجهاز الآخر',
  stateRemote: 'في السحابة',
  stateDownloading: (p) => `جارٍ التنزيل ${p}٪`,
  stateRetrying: 'ستتم إعادة المحاولة',
  stateFailed: (reason) => `فشل: ${reason}`,
  dismiss: 'إخفاء',
  retry: 'إعادة المحاولة',
  remove: 'إزالة',
  undo: 'تراجع',
  deleted: (name) => `تم حذف ${name}`,
  download: 'تنزيل',
  statusSynced: 'كل الملفات متزامنة',
  statusSyncing: (up, down) => `جارٍ النقل: ${up} رفع، ${down} تنزيل`,
  statusOffline: (waiting) => (waiting > 0 ? `غير متصل: ${waiting} ملفات بالانتظار` : 'غير متصل'),
  statusError: (failed) => `فشل ${failed} ملفات`,
  statusConnecting: 'جارٍ الاتصال…',
  statusChecking: 'جارٍ التحقق مع الخادم…',
  statusRecords: (notOnServer, notHere) =>
    [notOnServer > 0 ? `${notOnServer} ملفات لم تصل إلى الخادم بعد` : '', notHere > 0 ? `${notHere} ملفات لم تصل إلى هذا الجهاز بعد` : '']
      .filter(Boolean)
      .join('، '),
  retryAll: 'إعادة محاولة الكل',
  backendReachable: 'متصل',
  backendUnreachable: 'الخادم لا يستجيب',
  noNetwork: 'لا توجد شبكة',
  emptyGallery: 'لا توجد ملفات بعد',
  rejectedType: (name) => `${name} ليس من نوع مقبول`,
  rejectedMultiple: 'يمكن إضافة ملف واحد فقط',
  rejectedSize: (name, max) => `${name} أكبر من ${max}`,
  rejectedCount: (max) => `${max} ملفات كحد أقصى`,
  saveFailed: (name, reason) => `تعذر حفظ ${name}: ${reason}`,
  imageUnavailable: 'الصورة غير متاحة',
  added: (name) => `تمت إضافة ${name}`,
} satisfies Partial<Translation>;
