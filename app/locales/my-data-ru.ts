import type { myDataEn } from './my-data-en'

export const myDataRu: Record<keyof typeof myDataEn, string> = {
  'myData.title': 'Ваши данные',
  'myData.intro':
    'Посмотрите, скачайте или сотрите всё, что мы храним для вашего адреса: подписи, пожертвования и настройки писем. Мы пришлём ссылку, которая действует один час.',
  'myData.email': 'Адрес электронной почты',
  'myData.submit': 'Прислать ссылку',
  'myData.sent': 'Если у нас есть что-то для этого адреса, мы отправили на него ссылку. Она действует один час.',
  'myData.error.email': 'Введите адрес электронной почты, например name@example.com',
  'myData.error.rateLimited': 'Слишком много запросов с вашего подключения. Попробуйте позже.',
  'myData.expired': 'Срок действия ссылки истёк, или она уже использована. Запросите новую ниже.',
  'myData.listTitle': 'Данные, которые мы храним для {email}',
  'myData.signatures': 'Подписи',
  'myData.signature':
    '«{campaign}» ({organisation}), подписано {date}. Имя: {name}. Страна: {country}. Индекс: {postcode}. Сообщать новости: {updates}. Показывать имя: {showName}.',
  'myData.gifts': 'Пожертвования',
  'myData.gift': '{amount} для «{campaign}» ({organisation}) {date}, {frequency}.',
  'myData.preferences': 'Настройки писем',
  'myData.unsubscribed': 'Писем от {organisation} ({scope}) не присылать с {date}.',
  'myData.suppressed': '{organisation} не пишет на этот адрес (с {date}).',
  'myData.none': 'Нет.',
  'myData.yes': 'да',
  'myData.no': 'нет',
  'myData.allCampaigns': 'все кампании',
  'myData.download': 'Скачать мои данные',
  'myData.erase': 'Стереть мои данные',
  'myData.confirmTitle': 'Стереть всё для этого адреса?',
  'myData.confirmText':
    'Ваше имя, адрес и индекс будут удалены из всех подписей и пожертвований, а все сохранённые письма — стёрты. Число подписей не изменится. Адрес, на который просили не писать, так и останется без писем. Отменить это нельзя.',
  'myData.confirm': 'Да, стереть мои данные',
  'myData.cancel': 'Оставить мои данные',
  'myData.erased': 'Ваши данные стёрты',
  'myData.erasedText': 'У нас не осталось ничего о вашем адресе. Спасибо за вашу поддержку.',
  'myData.email.subject': 'Ваши данные в Chorus',
  'myData.email.preview': 'Посмотрите, скачайте или сотрите свои данные',
  'myData.email.heading': 'Ваши данные',
  'myData.email.intro':
    'Кто-то, надеемся, вы, попросил показать данные, которые мы храним для этого адреса. Эта кнопка покажет их и позволит скачать или стереть.',
  'myData.email.button': 'Посмотреть мои данные',
  'myData.email.expires': 'Ссылка действует один час.',
  'myData.email.ignore': 'Если вы не просили, просто не обращайте внимания на это письмо: ничего не изменится.',
}
